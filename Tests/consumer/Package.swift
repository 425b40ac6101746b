// swift-tools-version: 6.0
// A package that depends on exact-interp the way any other package would: by URL and version.
// tools/consumer-test.sh (run by `make test`) points EXACT_INTERP_URL at a file:// clone of the
// working tree tagged 1.0.0, so no network is needed.
import Foundation
import PackageDescription

let url = ProcessInfo.processInfo.environment["EXACT_INTERP_URL"] ?? "https://github.com/exact-interp/exact-interp"

let package = Package(
    name: "consumer",
    dependencies: [
        .package(url: url, from: "1.0.0"),
    ],
    targets: [
        .executableTarget(
            name: "consumer",
            dependencies: [
                .product(name: "ExactInterp", package: "exact-interp"),
            ]
        ),
    ]
)
