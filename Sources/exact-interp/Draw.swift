import ArgumentParser
import Certification
import ExactArithmetic
import TransformerModel
import Visualization

struct Draw: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw the tokens after every stage of a model as an SVG picture.",
        discussion: """
        One panel per stage: the input, after separation, after leader selection, after collapse, \
        and the output, with each sequence in its own colour and marker, the targets Y^j as rings, \
        the paths of the tokens through the blocks of the stage as thin arrows (every k-th path \
        when there are more than --max-arrows), and the cube (0, a)^d, the sphere |x|² = R and the \
        line through 1 (docs/mathematics.md#leader-selection) on the leader-selection and collapse panels. Stages are read \
        from the blocks' stage labels; a model outside the pipeline gets one panel per run of equal \
        labels. For d > 2 the picture is the projection on the coordinates --x and --y (0-based).

        Hardmax models are evaluated exactly; positions become doubles only to be placed on the \
        page. Softmax models are evaluated in float64 (at τ₀ or --temperature). The same files \
        always give the same bytes.

        Exits 0 when the picture is written, 2 on invalid input, 64 on bad options.
        """
    )

    @OptionGroup var files: ModelAndDataset
    @OptionGroup var destination: OutputOption
    @Option(help: "Coordinate on the horizontal axis (0-based).") var x: Int = 0
    @Option(help: "Coordinate on the vertical axis (0-based).") var y: Int = 1
    @Option(help: "Most arrows per panel.") var maxArrows: Int = 400
    @OptionGroup var temperature: TemperatureOption

    func validate() throws {
        guard x >= 0 else { throw ValidationError("--x must be a non-negative integer (a 0-based coordinate), found \(x)") }
        guard y >= 0 else { throw ValidationError("--y must be a non-negative integer (a 0-based coordinate), found \(y)") }
        guard x != y else { throw ValidationError("--x and --y must be two different coordinates") }
        try requirePositive(maxArrows, "--max-arrows")
    }

    @OptionGroup var limits: LimitOptions

    func run() throws {
        let output = destination.output
        let target = try OutputFile(output, option: "--output", inputs: [files.model, files.dataset])
        let (transformer, data, problem) = try loadForPictures(files)
        guard x < problem.dimension, y < problem.dimension else {
            printError("error: --x \(x) --y \(y): the data has coordinates 0…\(problem.dimension - 1) only")
            throw Exit.invalidInput
        }
        let tau = temperature.tau
        let analysis = try orExit(Exit.invalidInput) {
            try StageAnalysis(model: transformer, dataset: data, problem: problem, projection: (x, y),
                              temperature: tau, runChecks: false, limits: limits.evaluation)
        }
        var picture = analysis.picture(model: transformer, projection: (x, y), datasetName: data.name)
        picture.maximumArrows = maxArrows
        if let labels = transformer.labels {
            // A classifier: name the output tokens (docs/classification.md).
            picture.notes.append("labels: " + labels.entries.map { "\($0.label) → \(show($0.token))" }.joined(separator: ", "))
        }
        try target.write(picture.svg)
        let titles = picture.panels.map(\.title).joined(separator: ", ")
        say("figure: \(output) (\(picture.panels.count) panels: \(titles))", besides: output)
    }
}

/// Model, dataset and the dataset as a problem (sets, Assumption 1.3), for `draw` and `report`.
func loadForPictures(_ files: ModelAndDataset) throws -> (Transformer, Dataset, InterpolationProblem) {
    let (transformer, data) = try files.load()
    let dataset = files.dataset
    try requireSameDimension(transformer, data)
    try requireMatchingDigest(transformer, data, modelPath: files.model, datasetPath: dataset)
    let problem = try orExit(Exit.invalidInput, "\(dataset): ") { try InterpolationProblem(data) }
    guard problem.dimension >= 2 else {
        printError("error: \(dataset): pictures and stage reports need d ≥ 2 (found d = \(problem.dimension))")
        throw Exit.invalidInput
    }
    return (transformer, data, problem)
}
