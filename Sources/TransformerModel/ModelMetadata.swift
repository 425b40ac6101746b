/// What a model file says about the model beside its parameters (the `metadata` object,
/// docs/model-format.md): which construction built it, its block layout, its attention kind, and
/// free-form provenance.
///
/// The file holds strings; they are read into these typed fields once, by the readers
/// (`Transformer(json:)`, the tensor import), and everything after switches on the types. A value
/// this build does not know reads as `.unknown` with its text, so every file still reads and is
/// written back byte for byte. None of it is evidence: the judge (`certify`) decides from the
/// parameters and the dataset alone (docs/mathematics.md#enclosure-certificate).
public struct ModelMetadata: Sendable, Equatable {
    /// A metadata value this build knows, or the text of one it does not.
    public enum Field<Value: RawRepresentable & Sendable & Equatable>: Sendable, Equatable where Value.RawValue == String {
        case known(Value)
        case unknown(String)

        /// The value `text` names, else `.unknown(text)`.
        public init(text: String) { self = Value(rawValue: text).map { .known($0) } ?? .unknown(text) }

        /// The known value, nil for an unknown one.
        public var value: Value? {
            if case .known(let v) = self { return v }
            return nil
        }

        /// The text as the file writes it.
        public var text: String {
            switch self {
            case .known(let v): return v.rawValue
            case .unknown(let s): return s
            }
        }
    }

    /// The constructions of this tool, as `metadata.construction` names them.
    public enum Construction: String, Sendable, Equatable, CaseIterable {
        /// Theorem 1.4, hardmax (docs/mathematics.md#theorem-1-4).
        case theorem14 = "theorem-1.4"
        /// Theorem 1.6, softmax.
        case theorem16 = "theorem-1.6"
        /// Next-token interpolation with causal attention (docs/mathematics.md#causal-attention).
        case causal
        /// A classifier with a label embedding (docs/mathematics.md#classification).
        case classification

        /// The name a title gives it: "Theorem 1.4", "Theorem 1.6", else the file's name.
        public var title: String {
            switch self {
            case .theorem14: return "Theorem 1.4"
            case .theorem16: return "Theorem 1.6"
            case .causal, .classification: return rawValue
            }
        }
    }

    /// `metadata.construction`.
    public var construction: Field<Construction>?
    /// `metadata.layout`.
    public var layout: Field<BlockLayout>?
    /// `metadata.attention`: the attention kind the construction chose (a hardmax model whose
    /// attention layers are all identities still says "softmax" when built by Theorem 1.6).
    public var attention: Field<AttentionKind>?
    /// Every other key (`weights`, `architecture`, `source`, …): provenance only, kept as written.
    public var other: [String: String]

    public init(construction: Construction? = nil, layout: BlockLayout? = nil, attention: AttentionKind? = nil,
                other: [String: String] = [:]) {
        self.construction = construction.map { .known($0) }
        self.layout = layout.map { .known($0) }
        self.attention = attention.map { .known($0) }
        self.other = other
    }

    static let constructionKey = "construction", layoutKey = "layout", attentionKey = "attention"

    /// Reads the file's key → value strings into the typed fields: the one place they are read.
    public init(entries: [String: String]) {
        var other = entries
        construction = other.removeValue(forKey: Self.constructionKey).map(Field.init(text:))
        layout = other.removeValue(forKey: Self.layoutKey).map(Field.init(text:))
        attention = other.removeValue(forKey: Self.attentionKey).map(Field.init(text:))
        self.other = other
    }

    /// The key → value strings a file writes (`init(entries:)` reads them back to an equal value).
    public var entries: [String: String] {
        var e = other
        if let construction { e[Self.constructionKey] = construction.text }
        if let layout { e[Self.layoutKey] = layout.text }
        if let attention { e[Self.attentionKey] = attention.text }
        return e
    }

    /// True when the file has no metadata object.
    public var isEmpty: Bool { construction == nil && layout == nil && attention == nil && other.isEmpty }
}
