import ArgumentParser
import Foundation
import TextDatasets
import TransformerModel

extension TextTask: ExpressibleByArgument {}
extension TextPositions: ExpressibleByArgument {}

struct FromText: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "from-text",
        abstract: "Build a dataset from plain text (words as exact vectors in ℚ^d).",
        usage: """
        exact-interp from-text FILE... -o DATASET --dimension d [--task T]
                 [--context k] [--positions every|last] [--embedding TABLE]
                 [--range R] [--name S]
        """,
        discussion: """
        The text is lowercased and split into sentences (ending at . ! ? before white
        space, or at a blank line) and words (maximal runs of letters and digits).
        Each word gets an exact vector in ℚ^d: by default integers in [−R, R] drawn
        from SplitMix64 seeded with the FNV-1a hash of its UTF-8 (distinct words
        always get distinct vectors), or exactly the vector of --embedding (JSON
        {"word": [c1, …]} or CSV lines word,c1,…,cd).

        TASKS
          next-token               input: the words before a position, as a set
                                   (--context k: the last k only); output: the
                                   next word. Contexts seen with different next
                                   words are dropped (a line on stderr says how
                                   many).
          next-token-distribution  output: the exact empirical distribution of
                                   the next word over the d − 1 most frequent
                                   words plus "other" (one probability token).
          causal                   one pair per sentence: input w1 … w(n−1) in
                                   order, output w2 … wn, with "causal": true.
                                   Sentences contradicting an earlier one on an
                                   equal prefix are dropped.
          classification           lines "label<TAB>text"; input: the set of the
                                   text's words; the pair carries "label"
                                   instead of "output". Texts with the same
                                   words and different labels are dropped.

        See docs/text.md. The same files and options always write the same dataset,
        byte for byte. Exits 0, 2 on invalid input, 64 when -o is one of the inputs.
        """
    )

    @Argument(help: "Text files (read as UTF-8, in the order given).") var files: [String]
    @Option(name: .shortAndLong, help: "Output dataset file.") var output: String
    @Option(help: "d, the dimension of the word vectors.") var dimension: Int
    @Option(help: "next-token | next-token-distribution | causal | classification.") var task: TextTask = .nextToken
    @Option(help: "Context: at most this many preceding words (default: the whole preceding sentence).") var context: Int?
    @Option(help: "every: one pair per position; last: one pair per sentence (its last word).") var positions: TextPositions = .every
    @Option(help: "Embedding table, .json or .csv (default: the hashed embedding).") var embedding: String?
    @Option(help: "Hashed embedding: coordinates are integers in [−R, R].") var range: Int = 8
    @Option(help: "The dataset's name.") var name: String?

    func run() throws {
        if let context, context < 1 {
            printError("error: --context must be at least 1")
            throw Exit.invalidInput
        }
        try refuseOverwriting(output, inputs: files + (embedding.map { [$0] } ?? []))
        var table: WordEmbedding? = nil
        if let embedding {
            table = try orExit(Exit.invalidInput, "\(embedding): ") {
                try WordEmbedding.table(readFile(embedding, kind: .text), dimension: dimension, json: embedding.lowercased().hasSuffix(".json"))
            }
        }
        let builder = TextDatasetBuilder(task: task, dimension: dimension, context: context, positions: positions,
                                         range: range, table: table, name: name ?? "from-text \(task.rawValue)")
        let result: TextDataset
        do {
            if task == .classification {
                var lines: [(label: String, words: [String])] = []
                for f in files {
                    let text = String(decoding: try readFile(f, kind: .text), as: UTF8.self)
                    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                        if line.allSatisfy(\.isWhitespace) { continue }
                        guard let tab = line.firstIndex(of: "\t") else {
                            printError("error: \(f): line \(i + 1): expected \"label<TAB>text\"")
                            throw Exit.invalidInput
                        }
                        let label = String(line[..<tab])
                        guard !label.isEmpty else {
                            printError("error: \(f): line \(i + 1): empty label")
                            throw Exit.invalidInput
                        }
                        lines.append((label, TextSplitter.words(String(line[line.index(after: tab)...]))))
                    }
                }
                result = try builder.build(labelled: lines)
            } else {
                var sentences: [[String]] = []
                for f in files { sentences += TextSplitter.sentences(String(decoding: try readFile(f, kind: .text), as: UTF8.self)) }
                result = try builder.build(sentences: sentences)
            }
        } catch let error as InputError {
            printError("error: \(error)")
            throw Exit.invalidInput
        }
        if result.dropped > 0 {
            let what = switch task {
            case .causal: "sentences that contradict an earlier sentence on an equal prefix"
            case .classification: "texts with the same words and different labels"
            default: "contexts seen with different next words"
            }
            printError("notice: dropped \(result.dropped) \(what) (\(result.droppedPairs) occurrences)")
        }
        if result.merged > 0 { printError("notice: merged \(result.merged) repeated pairs") }
        if !result.outputWords.isEmpty {
            printError("notice: output coordinates: " + result.outputWords.joined(separator: " "))
        }
        try writeFile(output, result.json.rendered(), inputs: files + (embedding.map { [$0] } ?? []))
        print("\(result.pairs) pairs, d = \(dimension), \(result.vocabulary) distinct words, task \(task.rawValue) → \(output)")
    }
}
