/// Splits text into sentences and words (docs/text.md#splitting).
///
/// - The text is lowercased (Unicode lowercase mapping).
/// - A *word* is a maximal run of characters that are letters or digits; every other character
///   (spaces, punctuation, apostrophes, hyphens, symbols) separates words.
/// - A *sentence* ends at `.`, `!` or `?` followed by white space or the end of the text, and at a
///   blank line (a line holding only white space). Sentences without words are skipped.
public enum TextSplitter {
    /// The words of `text`, sentence by sentence.
    public static func sentences(_ text: String) -> [[String]] {
        var sentences: [[String]] = []
        var current: [String] = []
        var word = ""
        var pendingEnd = false          // saw . ! ? ; the sentence ends if white space follows
        var newlinesInGap = 0           // newlines since the last non-white-space character
        func endWord() {
            if !word.isEmpty { current.append(word); word = "" }
        }
        func endSentence() {
            endWord()
            if !current.isEmpty { sentences.append(current); current = [] }
        }
        for ch in text.lowercased() {
            if ch.isLetter || ch.isNumber {
                pendingEnd = false
                newlinesInGap = 0
                word.append(ch)
                continue
            }
            endWord()
            if ch.isWhitespace {
                if pendingEnd { endSentence(); pendingEnd = false }
                if ch.isNewline {
                    newlinesInGap += 1
                    if newlinesInGap >= 2 { endSentence() }
                }
                continue
            }
            newlinesInGap = 0
            pendingEnd = (ch == "." || ch == "!" || ch == "?")
        }
        endSentence()
        return sentences
    }

    /// The words of one line, ignoring sentence ends (classification texts).
    public static func words(_ text: String) -> [String] {
        sentences(text).flatMap { $0 }
    }
}
