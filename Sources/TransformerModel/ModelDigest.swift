import ExactArithmetic

extension Transformer {
    /// The model digest: "sha256:" and the SHA-256 of the model file's canonical text (`fileText`),
    /// so the same model gives the same digest however its file was formatted. Shard reports
    /// (`model_digest`), `eval --json` and exported tensor files record it.
    public var digest: String { "sha256:" + SHA256.hex(Array(fileText.utf8)) }
}
