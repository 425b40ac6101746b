// swift-tools-version: 6.0
import PackageDescription

// Layers, lowest first. Every target depends on exactly the modules it imports (tools/check-imports.py
// checks it in `make test`; docs/architecture.md draws the graph):
//   CGMP → ExactArithmetic → {LinearProgramming, TransformerModel} → Evaluation → Certification
//        → Constructions, Visualization → exact-interp
// The trusted base (docs/architecture.md#the-trusted-base) is ExactArithmetic, TransformerModel,
//        Evaluation and Certification: what a reviewer reads to trust a certificate.
// Tooling sits above TransformerModel, outside the trusted base, used by the CLI (and tests, bench):
//   TextDatasets (from-text: splitter, embeddings, tasks, builder; also under DatasetGeneration);
//   TensorFiles (safetensors, dense-tensor export and import) → TrainedModels (state dicts of other
//        layouts, datasets from arrays), TrainingBounds (the Tikhonov bound).
// HardmaxDynamics (the pure-attention dynamics) sits beside them: ExactArithmetic, TransformerModel
//        → HardmaxDynamics → Visualization, exact-interp.
// Certification (the judge) sits below Constructions: it cannot import construction code, and the
// constructions' own checks (the τ₀ search) call it.
// No unsafe flags in any library target, so that other packages can depend on this one by version.
// The evaluator is generic over `Scalar`: its public entry points carry `@_specialize` for
// `Rational` and `Double`, and `Rational`'s arithmetic is `@inlinable`, which keeps the speed that
// `-cross-module-optimization` gave (docs/benchmarks.md, "Without cross-module optimisation").

let package = Package(
    name: "ExactInterp",
    products: [
        .executable(name: "exact-interp", targets: ["exact-interp"]),
        // `import ExactInterp`: the whole public API (docs/library.md).
        .library(name: "ExactInterp", targets: ["ExactInterp"]),
        .library(name: "ExactArithmetic", targets: ["ExactArithmetic"]),
        .library(name: "TransformerModel", targets: ["TransformerModel"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
        .library(name: "Certification", targets: ["Certification"]),
        .library(name: "Constructions", targets: ["Constructions"]),
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
        .target(name: "ExactArithmetic", dependencies: ["CGMP"]),
        .target(name: "ExactInterp", dependencies: ["ExactArithmetic", "TransformerModel", "Evaluation", "Certification", "Constructions"]),
        .target(name: "LinearProgramming", dependencies: ["ExactArithmetic"]),
        .target(name: "TransformerModel", dependencies: ["ExactArithmetic"]),
        .target(name: "Evaluation", dependencies: ["ExactArithmetic", "TransformerModel"]),
        .target(name: "Certification", dependencies: ["ExactArithmetic", "TransformerModel", "Evaluation"]),
        .target(name: "Constructions", dependencies: ["ExactArithmetic", "LinearProgramming", "TransformerModel", "Evaluation", "Certification"]),
        .target(name: "HardmaxDynamics", dependencies: ["ExactArithmetic", "TransformerModel"]),
        .target(name: "Visualization", dependencies: ["ExactArithmetic", "TransformerModel", "Evaluation", "Certification", "HardmaxDynamics"]),
        // Seeded random datasets (`generate`, the benchmarks, the tests): a tool, not part of the
        // model API, so no library product exports it.
        .target(name: "DatasetGeneration", dependencies: ["ExactArithmetic", "TransformerModel", "TextDatasets"]),
        // Trained models from other layouts (PyTorch state dicts: `import --architecture sa-ff`,
        // `--map`) and datasets from arrays: tooling above the model, outside the trusted base.
        .target(name: "TrainedModels", dependencies: ["ExactArithmetic", "TransformerModel", "TensorFiles"]),
        // Datasets from plain text (`from-text`, docs/text.md): tooling above the model.
        .target(name: "TextDatasets", dependencies: ["ExactArithmetic", "TransformerModel"]),
        // Safetensors files and a model's dense tensors (`export`, `import`, docs/interop.md).
        .target(name: "TensorFiles", dependencies: ["ExactArithmetic", "TransformerModel"]),
        // Training figures of merit: the Tikhonov bound R(θ*) (`tikhonov`, docs/mathematics.md#tikhonov-bound).
        .target(name: "TrainingBounds", dependencies: ["ExactArithmetic", "TransformerModel", "TensorFiles"]),
        .executableTarget(
            name: "exact-interp",
            dependencies: [
                "ExactArithmetic", "TransformerModel", "Evaluation", "Certification", "Constructions",
                "Visualization", "DatasetGeneration", "HardmaxDynamics", "TrainedModels", "TextDatasets", "TensorFiles",
                "TrainingBounds",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "exact-interp-bench",
            dependencies: [
                "MPQBench", "ExactArithmetic", "TransformerModel", "Evaluation", "Certification", "Constructions",
                "Visualization", "DatasetGeneration", "TextDatasets", "TrainingBounds",
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
        // Fixtures shared by the test targets (the adversarial dataset families).
        .target(name: "TestSupport", dependencies: ["ExactArithmetic", "TransformerModel"],
                path: "Tests/TestSupport"),
        .testTarget(
            name: "ExactArithmeticTests",
            dependencies: ["CGMP", "ExactArithmetic", "TransformerModel", "DatasetGeneration",
                           .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "ModelTests",
            dependencies: ["ExactArithmetic", "TransformerModel", "Evaluation", "DatasetGeneration", "TestSupport",
                           "TextDatasets", "TensorFiles", "TrainingBounds"]
        ),
        .testTarget(
            name: "ConstructionTests",
            dependencies: ["ExactArithmetic", "TransformerModel", "Evaluation", "Certification", "Constructions",
                           "DatasetGeneration", "TestSupport", "TensorFiles"]
        ),
        // The validity-space generator, the shrinker, the construct-and-certify properties and the
        // replay of their shrunk failures (Tests/regressions/properties).
        .testTarget(
            name: "PropertyTests",
            dependencies: ["ExactArithmetic", "TransformerModel", "Certification", "Constructions", "DatasetGeneration"]
        ),
        .testTarget(
            name: "CertificationTests",
            dependencies: ["ExactArithmetic", "TransformerModel", "Certification", "Constructions"]
        ),
        .testTarget(
            name: "LemmaTests",
            dependencies: ["ExactArithmetic", "LinearProgramming", "TransformerModel", "Evaluation", "Constructions",
                           "DatasetGeneration", "TestSupport"]
        ),
        .testTarget(
            name: "SoftmaxTests",
            dependencies: ["ExactArithmetic", "TransformerModel", "Evaluation", "Certification", "Constructions",
                           "DatasetGeneration", "TestSupport"]
        ),
        .testTarget(
            name: "TrainedModelTests",
            dependencies: ["ExactArithmetic", "TransformerModel", "TrainedModels", "TensorFiles", "TrainingBounds"]
        ),
        .testTarget(
            name: "DynamicsTests",
            dependencies: ["ExactArithmetic", "TransformerModel", "HardmaxDynamics"]
        ),
        .testTarget(
            name: "VisualizationTests",
            dependencies: ["ExactArithmetic", "TransformerModel", "Evaluation", "Certification", "Constructions",
                           "Visualization", "DatasetGeneration", "HardmaxDynamics", "TestSupport"]
        ),
    ]
)
