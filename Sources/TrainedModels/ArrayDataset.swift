import ExactArithmetic
import TensorFiles
import TransformerModel

/// A dataset from input and target arrays in a safetensors file (docs/trained-models.md):
/// inputs X of shape [N, n, d], targets Y of shape [N, m, d], or [N, d] for one target token per
/// sequence. Pair j is X[j] → Y[j]; every coordinate is the exact rational of its bits. With
/// `causal`, Y must have shape [N, n, d]: one target per input position (docs/causal.md).
public enum ArrayDataset {
    public static func dataset(from file: SafetensorsFile, inputs: String, targets: String, causal: Bool = false,
                               name: String? = nil) throws(InputError) -> Dataset {
        func lookup(_ name: String, _ role: String) throws(InputError) -> SafetensorsFile.Tensor {
            guard let t = file.tensor(name) else {
                let names = file.tensors.map(\.name).sorted()
                let shown = names.prefix(8).joined(separator: ", ") + (names.count > 8 ? ", …" : "")
                throw InputError(path: name, reason: "missing: no \(role) tensor of that name (the file has \(names.isEmpty ? "no tensors" : shown))")
            }
            return t
        }
        let x = try lookup(inputs, "input")
        let y = try lookup(targets, "target")
        try checkCount(x)
        try checkCount(y)
        guard x.shape.count == 3, x.shape[0] >= 1, x.shape[1] >= 1, x.shape[2] >= 1 else {
            throw InputError(path: x.name, reason: "wrong shape \(x.shape), expected [N, n, d] (N sequences of n tokens of dimension d, each ≥ 1)")
        }
        let (count, length, d) = (x.shape[0], x.shape[1], x.shape[2])
        guard d <= Dataset.maximumDimension else {
            throw InputError(path: x.name, reason: "d = \(d) exceeds the largest dimension \(Dataset.maximumDimension)")
        }
        let targetLength: Int
        if causal {
            guard y.shape == [count, length, d] else {
                throw InputError(path: y.name, reason: "wrong shape \(y.shape), expected [\(count), \(length), \(d)]: a causal dataset has one target per input position (\(x.name) has shape \(x.shape))")
            }
            targetLength = length
        } else if y.shape.count == 2 {
            guard y.shape == [count, d] else {
                throw InputError(path: y.name, reason: "wrong shape \(y.shape), expected [\(count), \(d)] or [\(count), m, \(d)] (N = \(count), d = \(d) from \(x.name) \(x.shape))")
            }
            targetLength = 1
        } else {
            guard y.shape.count == 3, y.shape[0] == count, y.shape[1] >= 1, y.shape[2] == d else {
                throw InputError(path: y.name, reason: "wrong shape \(y.shape), expected [\(count), m, \(d)] with m ≥ 1, or [\(count), \(d)] (N = \(count), d = \(d) from \(x.name) \(x.shape))")
            }
            targetLength = y.shape[1]
        }
        func tokens(_ values: [Rational], pair j: Int, length: Int) -> [Token] {
            (0..<length).map { i in
                let start = (j * length + i) * d
                return Array(values[start..<(start + d)])
            }
        }
        let pairs = (0..<count).map { j in
            SequencePair(input: tokens(x.values, pair: j, length: length), output: tokens(y.values, pair: j, length: targetLength))
        }
        return Dataset(name: name, dimension: d, pairs: pairs, causal: causal)
    }
}

/// Recognises PyTorch's own file formats, which this engine does not read (unpickling runs code).
public enum TorchPickle {
    /// A sentence saying what the file is and how to save a safetensors file instead, or nil when
    /// the bytes do not start like a PyTorch pickle: a zip archive ("PK\u{3}\u{4}", `torch.save`
    /// since PyTorch 1.6) or a legacy pickle (protocol byte 0x80), without the "{" a safetensors
    /// header has at byte 8.
    public static func diagnosis(_ bytes: [UInt8]) -> String? {
        // A safetensors file has its JSON header's "{" at byte 8; its length's low byte may be 0x80.
        if bytes.count > 8 && bytes[8] == UInt8(ascii: "{") { return nil }
        let kind: String
        if bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04 {
            kind = "a zip archive, as torch.save writes (.pt, .pth)"
        } else if bytes.first == 0x80 {
            kind = "a Python pickle (a legacy torch.save file)"
        } else {
            return nil
        }
        return "this is \(kind), not a safetensors file; unpickling runs arbitrary code, so it is not read. "
            + "Save the state dict as safetensors instead: "
            + "from safetensors.torch import save_file; save_file(model.state_dict(), \"model.safetensors\")"
    }
}
