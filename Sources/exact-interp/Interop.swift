import ArgumentParser
import ExactArithmetic
import Foundation
import TensorFiles
import TrainedModels
import TrainingBounds
import TransformerModel

/// Exits 64 (usage) when `output` names the same file as one of `inputs` (same device and inode,
/// links followed: what `OutputFile` refuses), before anything is read or written: no command
/// overwrites its input.
func refuseOverwriting(_ output: String, option: String = "--output", inputs: [String]) throws {
    guard output != "-", let out = fileIdentity(output) else { return }
    for input in inputs where fileIdentity(input) == out {
        printError("error: \(option) \(output) is the input \(input) (the same file): refusing to overwrite an input")
        throw Exit.usage
    }
}

/// Writes a model that has no claim to check beyond reading back as itself (`import`, `bound
/// --balanced -o`) through the one model output tail (`ModelOutput`).
func writeModel(_ model: Transformer, to path: String, input: String) throws {
    try ModelOutput(target: OutputFile(path, option: "--output", inputs: [input]), input: input, say: { print($0) }).write(model)
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

        Exits 0 on success, 2 on invalid input or a value beyond the format's range, 64 when -o is the \
        model itself.
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

/// The tensor layouts `import` reads.
enum ImportArchitecture: String, ExpressibleByArgument, CaseIterable {
    /// This engine's own tensor names (`export`).
    case exactInterp = "exact-interp"
    /// The paper authors' trained models: SA then FF, nn.Linear weights (docs/trained-models.md).
    case saFF = "sa-ff"
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read a safetensors file (this engine's tensors or a trained state dict) as an exact model file.",
        discussion: """
        --architecture exact-interp (the default): tensors named as `export` writes them \
        (docs/interop.md). Layers are rebuilt in structured form where the tensors allow: neurons with \
        equal rows of U form ridges (the metadata's ridge sizes when they hold), A = 0 / a·I / p qᵀ / \
        general, Q and K with one row as rank one, V = 0 / v·I / general. Attention kind, causal \
        flags, τ₀ and stage labels come from the metadata; a file without them is read as softmax at \
        temperature 1 (--attention overrides). Prints whether the model's digest equals the one the \
        file records (it does when export rounded nothing).

        --architecture sa-ff: a PyTorch state dict of the paper authors' trained models \
        (safetensors.torch.save_file), blocks x ← ρx + SA(x), x ← ηx + FF(x) with tensors \
        blocks.{l}.rho, .eta, .attn.to_q.weight [h, d], .attn.to_k.weight [h, d], .attn.to_v.weight \
        [d, d], .ff.0.weight [w, d], .ff.0.bias [w], .ff.2.weight [d, w]; --temperature τ is \
        required (exact text: 1/1000 or 0.001 is exactly 1/1000), --causal masks every attention \
        layer. Attention-first blocks are cut into this engine's FF-then-SA blocks with an identity \
        feed-forward first and an identity attention last, marked as padding in the model file \
        (`bound` leaves them out of R(θ)). --map FILE reads another layout of the same maths from a \
        JSON map (docs/trained-models.md; --print-map sa-ff prints the built-in one).

        Every value becomes the exact dyadic rational its bits encode (F64, F32, F16, BF16). Then \
        `eval --arithmetic float64` runs the model as the framework does, `verify` checks it exactly \
        and `compare` shows where float64 goes wrong.

        Exits 0 on success, 2 on a bad file (truncated, bad header, overlapping or gapped data \
        offsets, wrong shapes, missing or unknown tensor names, non-finite values, a PyTorch pickle \
        instead of safetensors), 64 on a wrong combination of options.
        """
    )

    @Argument(help: "The .safetensors file.") var file: String?
    @Option(name: .shortAndLong, help: "Where to write the model JSON.") var output: String?
    @Option(help: "hardmax or softmax for every block (exact-interp layout; default: the file's metadata, else softmax).") var attention: AttentionChoice?
    @Option(help: "The tensor layout: exact-interp (default) or sa-ff (attention then feed-forward, PyTorch names).") var architecture: ImportArchitecture?
    @Option(name: .customLong("map"), help: "A JSON map from tensor names to this engine's parameters (instead of --architecture).") var mapFile: String?
    @Option(help: "sa-ff and --map: the softmax temperature τ, exact (1/1000, 0.001).") var temperature: Rational?
    @Flag(help: "sa-ff and --map: causal masks in every attention layer.") var causal = false
    @Option(help: "Print a built-in layout as a --map file and exit (sa-ff).") var printMap: ImportArchitecture?

    func validate() throws {
        if let printMap {
            guard printMap == .saFF else { throw ValidationError("the exact-interp layout is not a map (its tensor names are in docs/interop.md)") }
            return
        }
        guard file != nil, output != nil else { throw ValidationError("import needs the .safetensors file and -o MODEL.json") }
        if mapFile != nil && architecture != nil { throw ValidationError("--map and --architecture exclude each other: the map is the layout") }
        let trained = mapFile != nil || architecture == .saFF
        if trained {
            guard let temperature else { throw ValidationError("--temperature τ is required with \(mapFile != nil ? "--map" : "--architecture sa-ff"): the trained model's temperature is not in its tensors") }
            if temperature <= .zero { throw ValidationError("--temperature must be positive, found \(temperature)") }
            if attention != nil { throw ValidationError("--attention is for the exact-interp layout; trained layouts are softmax") }
        } else {
            if temperature != nil { throw ValidationError("--temperature is for --architecture sa-ff and --map (an exact-interp file records τ₀ in its metadata)") }
            if causal { throw ValidationError("--causal is for --architecture sa-ff and --map (an exact-interp file records causal flags in its metadata)") }
        }
    }

    func run() throws {
        if printMap != nil {
            print(TensorMap.saFF.fileText, terminator: "")
            return
        }
        guard let file, let output else { throw Exit.usage }
        try refuseOverwriting(output, inputs: [file] + (mapFile.map { [$0] } ?? []))
        let bytes = try readFile(file, kind: .safetensors)
        if let pickle = TorchPickle.diagnosis(bytes) {
            printError("error: \(file): \(pickle)")
            throw Exit.invalidInput
        }
        var map: TensorMap? = architecture == .saFF ? .saFF : nil
        if let mapFile {
            let mapBytes = try readFile(mapFile, kind: .json)
            do { map = try TensorMap.parse(mapBytes, defaultName: "map " + URL(fileURLWithPath: mapFile).lastPathComponent) } catch {
                printError("error: \(mapFile): \(error)")
                throw Exit.invalidInput
            }
        }
        let model: Transformer
        do {
            let tensors = try SafetensorsFile.parse(bytes)
            let formats = Set(tensors.tensors.map(\.format.safetensorsName)).sorted().joined(separator: ", ")
            if let map, let temperature {
                model = try StateDictImport.transformer(from: tensors, map: map, options: .init(
                    temperature: temperature, causal: causal, source: URL(fileURLWithPath: file).lastPathComponent))
                try writeModel(model, to: output, input: file)
                let trainedBlocks = map.order == .attentionFirst ? model.blocks.count - 1 : model.blocks.count
                print("wrote \(output): \(model.blocks.count) block\(model.blocks.count == 1 ? "" : "s"), d = \(model.dimension), τ = \(temperature)\(causal ? ", causal" : ""), from \(tensors.tensors.count) tensors (\(formats.isEmpty ? "none" : formats)) of \(trainedBlocks) \(map.name) block\(trainedBlocks == 1 ? "" : "s")")
                let padding = model.blocks.reduce(0) { $0 + $1.padding.names.count }
                if padding > 0 {
                    print("attention-first blocks cut into FF-then-SA blocks: \(padding) identity layers added as padding (first feed-forward, last attention)")
                }
                return
            }
            if tensors.tensors.contains(where: { $0.name.hasSuffix(".attn.to_q.weight") }) {
                throw InputError(path: "", reason: "tensors such as \(tensors.tensors.map(\.name).sorted().first { $0.hasSuffix(".attn.to_q.weight") } ?? "") are not this engine's names: for a PyTorch sa-ff state dict add --architecture sa-ff --temperature τ (docs/trained-models.md)")
            }
            model = try Transformer(importing: tensors, attention: attention.map { $0 == .hardmax ? .hardmax : .softmax })
            try writeModel(model, to: output, input: file)
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

struct DatasetFromArrays: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset-from-arrays",
        abstract: "Write a dataset JSON file from input and target arrays in a safetensors file.",
        discussion: """
        --inputs names a tensor of shape [N, n, d] (N sequences of n tokens), --targets one of shape \
        [N, m, d], or [N, d] for one target token per sequence (e.g. the last token of the model's \
        output). Pair j is inputs[j] → targets[j]. Every value becomes the exact rational of its bits \
        (F64, F32, F16, BF16), written as "p/q" text. --causal writes a causal dataset (targets \
        [N, n, d], one per position, docs/causal.md). numpy: \
        safetensors.numpy.save_file({"X": X, "Y": Y}, "arrays.safetensors"); or, without the \
        engine, exact_interp.write_dataset(X, Y, "D.json") in Python (docs/trained-models.md).

        Exits 0 on success, 2 on a bad file, a missing tensor or a wrong shape (named).
        """
    )

    @Argument(help: "The .safetensors file holding the arrays.") var file: String
    @Option(help: "The input tensor's name ([N, n, d]).") var inputs: String
    @Option(help: "The target tensor's name ([N, m, d] or [N, d]).") var targets: String
    @Option(name: .shortAndLong, help: "Where to write the dataset JSON.") var output: String
    @Flag(help: "A causal dataset: targets [N, n, d], one per input position.") var causal = false
    @Option(help: "The dataset's name field.") var name: String?

    func run() throws {
        try refuseOverwriting(output, inputs: [file])
        let bytes = try readFile(file)
        if let pickle = TorchPickle.diagnosis(bytes) {
            printError("error: \(file): \(pickle.replacingOccurrences(of: "save_file(model.state_dict(), \"model.safetensors\")", with: "save_file({\"X\": X, \"Y\": Y}, \"arrays.safetensors\")"))")
            throw Exit.invalidInput
        }
        do {
            let tensors = try SafetensorsFile.parse(bytes)
            let dataset = try ArrayDataset.dataset(from: tensors, inputs: inputs, targets: targets, causal: causal, name: name)
            try writeFile(output, dataset.json.rendered(), inputs: [file])
            let pair = dataset.pairs[0]
            print("wrote \(output): \(dataset.pairs.count) pair\(dataset.pairs.count == 1 ? "" : "s") of \(pair.input.count) input token\(pair.input.count == 1 ? "" : "s") and \(pair.output.count) target token\(pair.output.count == 1 ? "" : "s"), d = \(dataset.dimension)\(causal ? ", causal" : "")")
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

    func validate() throws {
        if output != nil && !balanced { throw ValidationError("-o writes the rescaled model: it needs --balanced") }
    }

    func run() throws {
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
            let padded = b.padding.isEmpty ? "" : " (padding left out: \(b.padding.names.map { $0 == "feedforward" ? "feed-forward" : $0 }.joined(separator: " and ")))"
            print("block \(i) (\(b.stage)): \(b.total.scientific()) = feed-forward \(b.feedForward.scientific()) + scores \(b.scores.scientific())\(b.hardmaxScores ? " (hardmax)" : "") + values \(b.values.scientific())\(padded)")
        }
        let paddingLayers = transformer.blocks.reduce(0) { $0 + $1.padding.names.count }
        if paddingLayers > 0 {
            print("\(paddingLayers) padding layer\(paddingLayers == 1 ? "" : "s") (identity layers added to fit the block order, docs/trained-models.md) left out of R(θ)")
        }
        print("infimum over rescalings of hardmax scores: \(bound.infimumOverHardmaxScoreScaling.scientific())")
        if balanced {
            print("before balancing: \(original.tikhonovBound.total.scientific())")
        }
        if let output {
            try writeModel(transformer, to: output, input: model)
            print("wrote \(output)")
        }
    }
}

