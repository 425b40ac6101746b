import ArgumentParser
import ExactArithmetic
import Foundation
import TransformerModel

/// Exits 2 when `output` names the same file as one of `inputs`: no command overwrites its input.
func refuseOverwriting(_ output: String, inputs: [String]) throws {
    func resolved(_ p: String) -> String { URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path }
    for input in inputs where resolved(input) == resolved(output) {
        printError("error: the output \(output) is the input \(input): refusing to overwrite it")
        throw Exit.invalidInput
    }
}

/// Writes bytes to a file, or exits 2.
func writeBytes(_ path: String, _ bytes: [UInt8]) throws {
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
        printError("error: cannot write \(path)")
        throw Exit.invalidInput
    }
}

enum TensorDType: String, ExpressibleByArgument, CaseIterable {
    case float64, float32
    var format: BinaryFloatFormat { self == .float64 ? .float64 : .float32 }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a model's dense tensors as a safetensors file (for NumPy, PyTorch, JAX).",
        discussion: """
        Per block i: blocks.i.ff.U [w, d], blocks.i.ff.b [w], blocks.i.ff.W [d, w], blocks.i.ff.eta [], \
        blocks.i.attn.rho [], and per head h: blocks.i.attn.heads.h.A [d, d] (zero, a·I and general \
        scores) or .Q and .K [k, d] (rank-one scores p qᵀ as Q = pᵀ, K = qᵀ; query/key scores), and \
        .V [d, d]. Softmax scores are stored divided by τ₀ (run them at temperature 1). The \
        metadata holds the architecture, attention kind and causal flag per block, τ₀, the stage \
        labels, the model digest (SHA-256 of the model file) and the dataset digest \
        (docs/interop.md).

        Every value is rounded to the nearest value of --dtype, ties to even, computed exactly from \
        the rational (never through decimal text). A model whose parameters are all representable \
        (construct --weights float64|float32) is written without rounding: import then gives back \
        the same model file byte for byte. Prints how many values were rounded.

        Exits 0 on success, 2 on invalid input or a value beyond the format's range.
        """
    )

    @Argument(help: "Model JSON file.") var model: String
    @Option(name: .shortAndLong, help: "Where to write the .safetensors file.") var output: String
    @Option(help: "float64 (default) or float32.") var dtype: TensorDType = .float64

    func run() throws {
        try refuseOverwriting(output, inputs: [model])
        let transformer = try loadModel(model)
        let file = transformer.safetensors
        let bytes = try orExit(Exit.invalidInput, "\(model): ") { try file.serialized(format: dtype.format) }
        try writeBytes(output, bytes)
        let values = file.tensors.reduce(0) { $0 + $1.values.count }
        let rounded = file.tensors.reduce(0) { $0 + $1.values.filter { !$0.isRepresentable(in: dtype.format) }.count }
        print("wrote \(output): \(file.tensors.count) tensors, \(values) values (\(dtype.format.safetensorsName)), \(transformer.blocks.count) block\(transformer.blocks.count == 1 ? "" : "s")")
        print(rounded == 0 ? "every value exact in \(dtype.rawValue)" : "\(rounded) of \(values) values rounded to the nearest \(dtype.rawValue)")
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read a safetensors file of this architecture as an exact model file.",
        discussion: """
        Reads F64, F32, F16 and BF16 tensors named as `export` writes them (docs/interop.md). Every \
        value becomes the exact dyadic rational its bits encode. Layers are rebuilt in structured \
        form where the tensors allow: neurons with equal rows of U form ridges (the metadata's ridge \
        sizes when they hold), A = 0 / a·I / p qᵀ / general, Q and K with one row as rank one, \
        V = 0 / v·I / general. Attention kind, causal flags, τ₀ and stage labels come from the \
        metadata; a file without them is read as softmax at temperature 1 (--attention overrides). \
        Then `verify` checks the float model exactly and `compare` shows where float64 goes wrong.

        Prints whether the model's digest equals the one the file records (it does when export \
        rounded nothing). Exits 0 on success, 2 on a bad file (truncated, bad header, overlapping \
        or gapped data offsets, wrong shapes, unknown tensor names, non-finite values).
        """
    )

    @Argument(help: "The .safetensors file.") var file: String
    @Option(name: .shortAndLong, help: "Where to write the model JSON.") var output: String
    @Option(help: "hardmax or softmax for every block (default: the file's metadata, else softmax).") var attention: AttentionChoice?

    func run() throws {
        try refuseOverwriting(output, inputs: [file])
        let bytes = try readFile(file, kind: .safetensors)
        let model: Transformer
        do {
            let tensors = try SafetensorsFile.parse(bytes)
            model = try Transformer(importing: tensors, attention: attention.map { $0 == .hardmax ? .hardmax : .softmax })
            try writeFile(output, model.fileText, inputs: [file])
            let formats = Set(tensors.tensors.map(\.format.safetensorsName)).sorted().joined(separator: ", ")
            print("wrote \(output): \(model.blocks.count) block\(model.blocks.count == 1 ? "" : "s"), d = \(model.dimension), from \(tensors.tensors.count) tensors (\(formats.isEmpty ? "none" : formats))")
            if let recorded = tensors.metadata["model_digest"] {
                print(recorded == model.digest ? "model digest matches the exported model (\(recorded))"
                                               : "model digest differs from the exported model's: values were rounded by export")
            }
        } catch let error as InputError {
            printError("error: \(file): \(error)")
            throw Exit.invalidInput
        }
    }
}

struct Bound: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "R(θ) = ‖θ‖² of a model's exported parameters: the Tikhonov bound's constant.",
        discussion: """
        The first line of stdout is R(θ) alone, an exact rational: the sum of squares of every value \
        `export` writes (U, b, W, η, A or Q and K, V, ρ; softmax scores folded as A/τ₀). For an exact \
        interpolant θ*, the minimum of L(θ) + ε‖θ‖² is at most ε·R(θ*) (docs/mathematics.md#tikhonov-bound). \
        Then one line per block (feed-forward, scores, values) and the infimum over \
        rescalings A → cA of hardmax scores, which change nothing.

        --dtype sums the squares of the values rounded to that format (what the exported file holds). \
        --balanced applies exact power-of-two rescalings that change no output (ReLU homogeneity per \
        ridge; p qᵀ = (2^k p)(2^-k q)ᵀ) and reports R of the result; with -o it writes that model, \
        which `verify` certifies like the original.
        """
    )

    @Argument(help: "Model JSON file.") var model: String
    @Option(help: "Sum the squares of the values rounded to float64 or float32 (default: exact).") var dtype: TensorDType?
    @Flag(help: "Rescale exactly (powers of two, same function) to make R smaller.") var balanced = false
    @Option(name: .shortAndLong, help: "With --balanced: write the rescaled model here.") var output: String?

    func run() throws {
        if output != nil && !balanced {
            printError("error: -o writes the rescaled model: it needs --balanced")
            throw ExitCode(64)
        }
        if let output { try refuseOverwriting(output, inputs: [model]) }
        let original = try loadModel(model)
        let transformer = balanced ? original.balanced() : original
        guard let bound = transformer.tikhonovBound(roundedTo: dtype?.format) else {
            printError("error: \(model): a parameter is beyond the largest finite \(dtype?.rawValue ?? "")")
            throw Exit.invalidInput
        }
        print(bound.total.description)
        print("R(θ) ≈ \(bound.total.scientific()) over \(transformer.blocks.count) block\(transformer.blocks.count == 1 ? "" : "s") (\(dtype.map { "values rounded to \($0.rawValue)" } ?? "exact parameters")\(balanced ? ", balanced" : ""))")
        for (i, b) in bound.blocks.enumerated() {
            print("block \(i) (\(b.stage)): \(b.total.scientific()) = feed-forward \(b.feedForward.scientific()) + scores \(b.scores.scientific())\(b.hardmaxScores ? " (hardmax)" : "") + values \(b.values.scientific())")
        }
        print("infimum over rescalings of hardmax scores: \(bound.infimumOverHardmaxScoreScaling.scientific())")
        if balanced {
            print("before balancing: \(original.tikhonovBound.total.scientific())")
        }
        if let output {
            try writeFile(output, transformer.fileText, inputs: [model])
            print("wrote \(output)")
        }
    }
}

