// swift-tools-version: 6.0
import PackageDescription

// Layers, lowest first. A module imports only modules above it in this list:
//   CGMP → ExactArithmetic → LinearProgramming → TransformerModel → Evaluation → Constructions
//        → Certification → Visualization → exact-interp
// HardmaxDynamics (the pure-attention dynamics) sits beside them: ExactArithmetic, TransformerModel → HardmaxDynamics
//        → Visualization, exact-interp.
// The evaluator is generic over `Scalar`; release builds let the modules that call it with
// `Rational` or `Double` specialise it (otherwise every arithmetic operation goes through witness
// tables, several times slower).
let crossModule: [SwiftSetting] = [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]

let package = Package(
    name: "ExactInterp",
    products: [
        .executable(name: "exact-interp", targets: ["exact-interp"]),
        .library(name: "ExactArithmetic", targets: ["ExactArithmetic"]),
        .library(name: "Certification", targets: ["Certification"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CGMP",
            pkgConfig: "gmp",
            providers: [.apt(["libgmp-dev"])]
        ),
        .target(name: "ExactArithmetic", dependencies: ["CGMP"], swiftSettings: crossModule),
        .target(name: "LinearProgramming", dependencies: ["ExactArithmetic"]),
        .target(name: "TransformerModel", dependencies: ["ExactArithmetic"]),
        .target(name: "Evaluation", dependencies: ["ExactArithmetic", "TransformerModel"], swiftSettings: crossModule),
        .target(name: "Constructions", dependencies: ["ExactArithmetic", "LinearProgramming", "TransformerModel", "Evaluation"]),
        .target(name: "Certification", dependencies: ["ExactArithmetic", "TransformerModel", "Evaluation", "Constructions"]),
        .target(name: "HardmaxDynamics", dependencies: ["ExactArithmetic", "TransformerModel"]),
        .target(name: "Visualization", dependencies: ["ExactArithmetic", "TransformerModel", "Evaluation", "Certification", "HardmaxDynamics"]),
        .executableTarget(
            name: "exact-interp",
            dependencies: [
                "ExactArithmetic", "LinearProgramming", "TransformerModel", "Evaluation", "Constructions",
                "Certification", "Visualization", "HardmaxDynamics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "exact-interp-bench",
            dependencies: [
                "CGMP", "MPQBench", "ExactArithmetic", "TransformerModel", "Evaluation", "Constructions",
                "Certification", "Visualization",
            ],
            path: "bench/Sources/exact-interp-bench"
        ),
        // The raw GMP mpq_t reference loop of the dot-product benchmark, in C.
        .target(
            name: "MPQBench",
            dependencies: ["CGMP"],
            path: "bench/Sources/MPQBench",
            cSettings: [.unsafeFlags(["-O2"], .when(configuration: .release))]
        ),
        .testTarget(
            name: "ExactArithmeticTests",
            dependencies: ["ExactArithmetic", "CGMP", "TransformerModel", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "ModelTests",
            dependencies: ["ExactArithmetic", "TransformerModel", "Evaluation",
                           .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "ConstructionTests",
            dependencies: ["ExactArithmetic", "TransformerModel", "Evaluation", "Constructions", "Certification"]
        ),
        .testTarget(
            name: "LemmaTests",
            dependencies: ["ExactArithmetic", "LinearProgramming", "TransformerModel", "Evaluation", "Constructions",
                           .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "SoftmaxTests",
            dependencies: ["ExactArithmetic", "TransformerModel", "Evaluation", "Constructions", "Certification"]
        ),
        .testTarget(
            name: "DynamicsTests",
            dependencies: ["ExactArithmetic", "TransformerModel", "HardmaxDynamics"]
        ),
        .testTarget(
            name: "VisualizationTests",
            dependencies: ["ExactArithmetic", "TransformerModel", "Constructions", "Certification", "Visualization", "HardmaxDynamics"]
        ),
    ]
)
