import ExactArithmetic
import TransformerModel

/// A picture of every stage of a construction on 2-D data (or a projection on two coordinates):
/// one panel per checkpoint of a `StagePlan` (input, after separation, after leader selection,
/// after collapse, output), each sequence in its own colour and marker, targets as rings, the
/// paths of the tokens through the blocks of the stage as thin arrows, and the cube, sphere and
/// line through 1 of docs/mathematics.md#leader-selection where the model puts leaders on them.
///
/// Everything here is already in doubles: `init(trace:…)` converts exact positions only when
/// placing them on the page.
public struct StagePicture: Sendable {
    /// One panel.
    public struct Panel: Sendable {
        public var title: String
        /// One or two lines (separated by a newline).
        public var subtitle: String
        /// Distinct values of each sequence at this checkpoint.
        public var tokens: [(sequence: Int, point: PlotPoint)]
        /// Output tokens, drawn as rings (input and output panels).
        public var targets: [(sequence: Int, point: PlotPoint)]
        /// Paths through the stage's sublayers (every path; thinned when drawn).
        public var paths: [TokenPath]
        /// Overlays of docs/mathematics.md#leader-selection: the cube (0, a)², the sphere |x|² = R (radius √R), the line through 1.
        public var cubeSide: Double?
        public var sphereRadius: Double?
        public var diagonal: Bool = false
        /// Frame the tokens and targets only; paths from far away enter from the edge (the output
        /// panel, where what matters is that every token sits on its ring).
        public var windowOnTokens: Bool = false
        /// Extra lines under the panel (what the overlays are).
        public var notes: [String] = []
    }

    public var title: String
    public var notes: [String]
    public var panels: [Panel]
    /// Legend lines, one per sequence (in order).
    public var sequenceLabels: [String]
    public var axisLabels: (x: String, y: String)
    /// Most arrows drawn per panel; beyond that every k-th path is drawn and the panel says so.
    public var maximumArrows: Int = 400

    // MARK: Layout (pixels)

    static let columns = 3
    static let cellWidth = 450.0, cellHeight = 512.0
    static let plotLeft = 70.0, plotTop = 74.0, plotWidth = 360.0, plotHeight = 320.0
    static let margin = 12.0
    static let maxLegendSequences = 16

    /// Colours (Tableau 10) and marker shapes; sequence j gets colour j mod 10 and shape
    /// (j + 3⌊j/10⌋) mod 8, so the first 80 sequences all differ.
    static let colours = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                          "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#7f7f7f"]
    static let shapes = [
        "M4.5,0A4.5,4.5 0 1 1 -4.5,0A4.5,4.5 0 1 1 4.5,0Z",          // circle
        "M-4,-4H4V4H-4Z",                                            // square
        "M0,-5.2L4.6,3.6H-4.6Z",                                     // triangle
        "M0,-5.5L5,0L0,5.5L-5,0Z",                                   // diamond
        "M0,5.2L4.6,-3.6H-4.6Z",                                     // triangle down
        "M0,-5.8L1.6,-1.8L5.5,-1.8L2.4,0.7L3.5,4.8L0,2.4L-3.5,4.8L-2.4,0.7L-5.5,-1.8L-1.6,-1.8Z", // star
        "M5,0L2.5,4.3H-2.5L-5,0L-2.5,-4.3H2.5Z",                     // hexagon
        "M-1.7,-5H1.7V-1.7H5V1.7H1.7V5H-1.7V1.7H-5V-1.7H-1.7Z",      // plus
    ]
    static let shapeNames = ["circle", "square", "triangle", "diamond", "triangle down", "star", "hexagon", "plus"]

    static func colour(_ j: Int) -> Int { j % colours.count }
    static func shape(_ j: Int) -> Int { (j + 3 * (j / colours.count)) % shapes.count }

    public init(title: String, notes: [String], panels: [Panel], sequenceLabels: [String], axisLabels: (x: String, y: String)) {
        self.title = title
        self.notes = notes
        self.panels = panels
        self.sequenceLabels = sequenceLabels
        self.axisLabels = axisLabels
    }

    /// The panel's data window and pixel box, as the SVG records them.
    struct Frame {
        var x: Axis
        var y: Axis
        var left: Double, top: Double
        var equalScales: Bool

        func px(_ v: Double) -> Double { left + (v - x.lo) * (StagePicture.plotWidth / (x.hi - x.lo)) }
        func py(_ v: Double) -> Double { top + StagePicture.plotHeight - (v - y.lo) * (StagePicture.plotHeight / (y.hi - y.lo)) }
    }

    /// Data window of a panel: every token, path vertex, target and overlay, with equal scales
    /// on both axes unless that would squash one axis by more than 4×.
    func frame(_ panel: Panel, left: Double, top: Double) -> Frame {
        var xs: [Double] = [], ys: [Double] = []
        func add(_ p: PlotPoint) {
            if p.x.isFinite && p.y.isFinite { xs.append(p.x); ys.append(p.y) }
        }
        panel.tokens.forEach { add($0.point) }
        panel.targets.forEach { add($0.point) }
        if !panel.windowOnTokens { panel.paths.forEach { $0.points.forEach(add) } }
        if let a = panel.cubeSide, a.isFinite { add(PlotPoint(x: 0, y: 0)); add(PlotPoint(x: a, y: a)) }
        if let r = panel.sphereRadius, r.isFinite { add(PlotPoint(x: -r, y: -r)); add(PlotPoint(x: r, y: r)) }
        var x = Axis(covering: xs), y = Axis(covering: ys)
        let sx = StagePicture.plotWidth / (x.hi - x.lo), sy = StagePicture.plotHeight / (y.hi - y.lo)
        let equal = max(sx, sy) <= 4 * min(sx, sy)
        if equal {
            let s = min(sx, sy)
            x.widen(to: StagePicture.plotWidth / s)
            y.widen(to: StagePicture.plotHeight / s)
        }
        return Frame(x: x, y: y, left: left, top: top, equalScales: equal)
    }

    /// The SVG document.
    public var svg: String {
        let n = SVG.number
        let cells = panels.count + 1
        let rows = (cells + StagePicture.columns - 1) / StagePicture.columns
        let header = 44.0 + 18.0 * Double(notes.count)
        let width = StagePicture.margin * 2 + StagePicture.cellWidth * Double(StagePicture.columns)
        let height = header + StagePicture.cellHeight * Double(rows) + StagePicture.margin
        var w = SVGWriter()
        w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        w.open("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("xmlns:xlink", "http://www.w3.org/1999/xlink"),
                       ("width", n(width)), ("height", n(height)), ("viewBox", "0 0 \(n(width)) \(n(height))"),
                       ("font-family", "DejaVu Sans, Helvetica, Arial, sans-serif"), ("font-size", "12")])
        w.text("title", [], title)
        w.open("defs")
        for (k, d) in StagePicture.shapes.enumerated() { w.empty("path", [("id", "m\(k)"), ("d", d)]) }
        for (k, c) in StagePicture.colours.enumerated() {
            w.open("marker", [("id", "a\(k)"), ("viewBox", "0 0 10 10"), ("refX", "9"), ("refY", "5"),
                              ("markerUnits", "userSpaceOnUse"), ("markerWidth", "7"), ("markerHeight", "7"), ("orient", "auto")])
            w.empty("path", [("d", "M0,1L10,5L0,9Z"), ("fill", c)])
            w.close("marker")
        }
        w.close("defs")
        w.empty("rect", [("width", n(width)), ("height", n(height)), ("fill", "white")])
        w.text("text", [("x", n(StagePicture.margin + 8)), ("y", "28"), ("font-size", "18"), ("font-weight", "bold")], title)
        for (i, line) in notes.enumerated() {
            w.text("text", [("x", n(StagePicture.margin + 8)), ("y", n(50 + 18 * Double(i))), ("font-size", "13"), ("fill", "#333")], line)
        }
        for (k, panel) in panels.enumerated() {
            let left = StagePicture.margin + StagePicture.cellWidth * Double(k % StagePicture.columns)
            let top = header + StagePicture.cellHeight * Double(k / StagePicture.columns)
            drawPanel(&w, k, panel, left: left, top: top)
        }
        let k = panels.count
        drawLegend(&w, left: StagePicture.margin + StagePicture.cellWidth * Double(k % StagePicture.columns),
                   top: header + StagePicture.cellHeight * Double(k / StagePicture.columns))
        w.close("svg")
        return w.document
    }

    func drawPanel(_ w: inout SVGWriter, _ k: Int, _ panel: Panel, left cellLeft: Double, top cellTop: Double) {
        let n = SVG.number
        let f = frame(panel, left: cellLeft + StagePicture.plotLeft, top: cellTop + StagePicture.plotTop)
        let pw = StagePicture.plotWidth, ph = StagePicture.plotHeight
        w.open("g", [("class", "panel"), ("id", "panel-\(k)"), ("data-title", panel.title),
                     ("data-window", "\(f.x.lo) \(f.x.hi) \(f.y.lo) \(f.y.hi)"),
                     ("data-plot", "\(n(f.left)) \(n(f.top)) \(n(pw)) \(n(ph))")])
        w.text("text", [("x", n(cellLeft + 14)), ("y", n(cellTop + 22)), ("font-size", "15"), ("font-weight", "bold")],
               "\(k + 1). \(panel.title)")
        for (i, line) in panel.subtitle.split(separator: "\n").prefix(2).enumerated() {
            w.text("text", [("x", n(cellLeft + 14)), ("y", n(cellTop + 40 + 14 * Double(i))), ("font-size", "11.5"), ("fill", "#444")], String(line))
        }
        w.empty("rect", [("x", n(f.left)), ("y", n(f.top)), ("width", n(pw)), ("height", n(ph)),
                         ("fill", "#fbfbfb"), ("stroke", "#999"), ("stroke-width", "1")])
        // Ticks, grid and labels.
        for t in f.x.ticks {
            let x = f.px(t.value)
            w.empty("line", [("x1", n(x)), ("y1", n(f.top)), ("x2", n(x)), ("y2", n(f.top + ph)), ("stroke", "#e6e6e6"), ("stroke-width", "0.8")])
            w.empty("line", [("x1", n(x)), ("y1", n(f.top + ph)), ("x2", n(x)), ("y2", n(f.top + ph + 5)), ("stroke", "#666")])
            w.text("text", [("x", n(x)), ("y", n(f.top + ph + 18)), ("text-anchor", "middle"), ("font-size", "11")], t.label)
        }
        for t in f.y.ticks {
            let y = f.py(t.value)
            w.empty("line", [("x1", n(f.left)), ("y1", n(y)), ("x2", n(f.left + pw)), ("y2", n(y)), ("stroke", "#e6e6e6"), ("stroke-width", "0.8")])
            w.empty("line", [("x1", n(f.left - 5)), ("y1", n(y)), ("x2", n(f.left)), ("y2", n(y)), ("stroke", "#666")])
            w.text("text", [("x", n(f.left - 8)), ("y", n(y + 4)), ("text-anchor", "end"), ("font-size", "11")], t.label)
        }
        w.text("text", [("x", n(f.left + pw / 2)), ("y", n(f.top + ph + 36)), ("text-anchor", "middle"), ("font-size", "12")],
               axisLabels.x + StagePicture.unit(f.x) + (f.equalScales ? "" : "   (axes not to the same scale)"))
        let yx = f.left - 52, yy = f.top + ph / 2
        w.text("text", [("x", n(yx)), ("y", n(yy)), ("text-anchor", "middle"), ("font-size", "12"),
                        ("transform", "rotate(-90 \(n(yx)) \(n(yy)))")], axisLabels.y + StagePicture.unit(f.y))
        if !panel.notes.isEmpty {
            for (i, note) in panel.notes.enumerated() {
                w.text("text", [("x", n(cellLeft + 14)), ("y", n(f.top + ph + 54 + 14 * Double(i))), ("font-size", "11"), ("fill", "#555")], note)
            }
        }
        // Clipped content: axes through 0, overlays, paths.
        w.open("clipPath", [("id", "clip-\(k)")])
        w.empty("rect", [("x", n(f.left)), ("y", n(f.top)), ("width", n(pw)), ("height", n(ph))])
        w.close("clipPath")
        w.open("g", [("clip-path", "url(#clip-\(k))")])
        if f.x.lo < 0 && f.x.hi > 0 {
            w.empty("line", [("x1", n(f.px(0))), ("y1", n(f.top)), ("x2", n(f.px(0))), ("y2", n(f.top + ph)), ("stroke", "#bbb"), ("stroke-width", "1")])
        }
        if f.y.lo < 0 && f.y.hi > 0 {
            w.empty("line", [("x1", n(f.left)), ("y1", n(f.py(0))), ("x2", n(f.left + pw)), ("y2", n(f.py(0))), ("stroke", "#bbb"), ("stroke-width", "1")])
        }
        if panel.diagonal {
            let lo = max(f.x.lo, f.y.lo), hi = min(f.x.hi, f.y.hi)
            if hi > lo {
                w.empty("line", [("class", "diagonal"), ("x1", n(f.px(lo))), ("y1", n(f.py(lo))), ("x2", n(f.px(hi))), ("y2", n(f.py(hi))),
                                 ("stroke", "#8a6d00"), ("stroke-width", "1.2"), ("stroke-dasharray", "2 4")])
            }
        }
        if let a = panel.cubeSide, a.isFinite {
            w.empty("rect", [("class", "cube"), ("x", n(f.px(0))), ("y", n(f.py(a))), ("width", n(f.px(a) - f.px(0))), ("height", n(f.py(0) - f.py(a))),
                             ("fill", "#2a7f2a"), ("fill-opacity", "0.06"), ("stroke", "#2a7f2a"), ("stroke-width", "1.3"), ("stroke-dasharray", "7 4")])
        }
        if let r = panel.sphereRadius, r.isFinite {
            w.empty("ellipse", [("class", "sphere"), ("cx", n(f.px(0))), ("cy", n(f.py(0))), ("rx", n(f.px(r) - f.px(0))), ("ry", n(f.py(0) - f.py(r))),
                                ("fill", "none"), ("stroke", "#7a3db8"), ("stroke-width", "1.3"), ("stroke-dasharray", "5 3")])
        }
        let moving = panel.paths.filter { $0.points.count > 1 }
        let stride = max(1, (moving.count + maximumArrows - 1) / maximumArrows)
        for (i, path) in moving.enumerated() where i % stride == 0 {
            let pts = path.points.filter { $0.x.isFinite && $0.y.isFinite }
            guard pts.count > 1 else { continue }
            let c = StagePicture.colour(path.sequence)
            var pixels = pts.map { (f.px($0.x), f.py($0.y)) }
            // End the arrow at the edge of the marker, not under it.
            let (ax, ay) = pixels[pixels.count - 2], (bx, by) = pixels[pixels.count - 1]
            let length = ((bx - ax) * (bx - ax) + (by - ay) * (by - ay)).squareRoot()
            if length > 12 { pixels[pixels.count - 1] = (bx - (bx - ax) * 6 / length, by - (by - ay) * 6 / length) }
            w.empty("polyline", [("class", "path"), ("data-sequence", String(path.sequence)),
                                 ("points", pixels.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")),
                                 ("fill", "none"), ("stroke", StagePicture.colours[c]), ("stroke-width", "0.9"),
                                 ("stroke-opacity", "0.6"), ("marker-end", "url(#a\(c))")])
        }
        w.close("g")
        if stride > 1 {
            w.text("text", [("x", n(f.left + pw - 4)), ("y", n(f.top + 14)), ("text-anchor", "end"), ("font-size", "10.5"), ("fill", "#a33")],
                   "arrows: 1 in \(stride) of \(moving.count) paths shown")
        }
        for t in panel.targets where t.point.x.isFinite && t.point.y.isFinite {
            w.empty("circle", [("class", "target"), ("data-sequence", String(t.sequence)),
                               ("cx", n(f.px(t.point.x))), ("cy", n(f.py(t.point.y))), ("r", "8.5"),
                               ("fill", "none"), ("stroke", StagePicture.colours[StagePicture.colour(t.sequence)]), ("stroke-width", "1.8")])
        }
        for t in panel.tokens where t.point.x.isFinite && t.point.y.isFinite {
            token(&w, "token", t.sequence, f.px(t.point.x), f.py(t.point.y))
        }
        if let r = panel.sphereRadius, r.isFinite, r > 0 { drawSphereZoom(&w, k, panel, f, radius: r) }
        w.close("g")
    }

    /// " (×10¹²)" when the axis' tick labels count in powers of ten.
    static func unit(_ axis: Axis) -> String {
        axis.factorExponent == 0 ? "" : "  (×10\(superscripted(axis.factorExponent)))"
    }

    /// A magnification as a whole number ("≫10⁶" beyond a million, where Int conversion could trap).
    static func factor(_ v: Double) -> String {
        guard v.isFinite, v < 1e6 else { return "≫10⁶" }
        return "×" + String(Int(max(1, v.rounded())))
    }

    func token(_ w: inout SVGWriter, _ cls: String, _ j: Int, _ x: Double, _ y: Double) {
        w.empty("use", [("class", cls), ("data-sequence", String(j)), ("xlink:href", "#m\(StagePicture.shape(j))"),
                        ("x", SVG.number(x)), ("y", SVG.number(y)),
                        ("fill", StagePicture.colours[StagePicture.colour(j)]), ("stroke", "#222"), ("stroke-width", "0.6")])
    }

    /// The sphere of the other leaders is small next to the cube: a magnified inset of the square
    /// [−1.3r, 0.3r]² around it, in the corner of the plot that hides the fewest tokens.
    func drawSphereZoom(_ w: inout SVGWriter, _ k: Int, _ panel: Panel, _ f: Frame, radius r: Double) {
        let n = SVG.number
        let size = 130.0, pad = 6.0, lo = -1.3 * r, span = 1.6 * r
        // Not worth it when the sphere is already large on the page.
        guard f.px(r) - f.px(0) < 40 else { return }
        let pixels = panel.tokens.map { (f.px($0.point.x), f.py($0.point.y)) }
        let pw = StagePicture.plotWidth, ph = StagePicture.plotHeight
        let corners = [(f.left + pw - size - pad, f.top + pad), (f.left + pad, f.top + pad),
                       (f.left + pw - size - pad, f.top + ph - size - pad), (f.left + pad, f.top + ph - size - pad)]
        let origin = (f.px(0), f.py(0))
        func cost(_ c: (Double, Double)) -> Int {
            let inside = { (p: (Double, Double)) in p.0 >= c.0 - 8 && p.0 <= c.0 + size + 8 && p.1 >= c.1 - 8 && p.1 <= c.1 + size + 8 }
            return pixels.filter(inside).count + (inside(origin) ? 1_000_000 : 0)
        }
        var best = corners[0]
        for c in corners.dropFirst() where cost(c) < cost(best) { best = c }
        let (left, top) = best
        func ix(_ v: Double) -> Double { left + (v - lo) / span * size }
        func iy(_ v: Double) -> Double { top + size - (v - lo) / span * size }
        // The zoomed square on the plot, then the inset.
        w.empty("rect", [("x", n(f.px(lo))), ("y", n(f.py(lo + span))), ("width", n(f.px(lo + span) - f.px(lo))),
                         ("height", n(f.py(lo) - f.py(lo + span))), ("fill", "none"), ("stroke", "#7a3db8"), ("stroke-width", "0.8")])
        w.open("g", [("class", "zoom")])
        w.open("clipPath", [("id", "zoom-\(k)")])
        w.empty("rect", [("x", n(left)), ("y", n(top)), ("width", n(size)), ("height", n(size))])
        w.close("clipPath")
        w.empty("rect", [("x", n(left)), ("y", n(top)), ("width", n(size)), ("height", n(size)), ("fill", "white"),
                         ("stroke", "#7a3db8"), ("stroke-width", "1")])
        w.open("g", [("clip-path", "url(#zoom-\(k))")])
        w.empty("line", [("x1", n(ix(0))), ("y1", n(top)), ("x2", n(ix(0))), ("y2", n(top + size)), ("stroke", "#bbb")])
        w.empty("line", [("x1", n(left)), ("y1", n(iy(0))), ("x2", n(left + size)), ("y2", n(iy(0))), ("stroke", "#bbb")])
        w.empty("circle", [("cx", n(ix(0))), ("cy", n(iy(0))), ("r", n(r / span * size)), ("fill", "none"),
                           ("stroke", "#7a3db8"), ("stroke-width", "1.3"), ("stroke-dasharray", "5 3")])
        for t in panel.tokens where t.point.x >= lo && t.point.x <= lo + span && t.point.y >= lo && t.point.y <= lo + span {
            token(&w, "token-zoom", t.sequence, ix(t.point.x), iy(t.point.y))
        }
        w.close("g")
        w.text("text", [("x", n(left + 4)), ("y", n(top + 12)), ("font-size", "10"), ("fill", "#7a3db8")],
               "zoom \(StagePicture.factor((size / span) / (f.px(1) - f.px(0)))) on the sphere")
        w.close("g")
    }

    func drawLegend(_ w: inout SVGWriter, left: Double, top: Double) {
        let n = SVG.number
        w.open("g", [("class", "legend")])
        w.text("text", [("x", n(left + 14)), ("y", n(top + 22)), ("font-size", "15"), ("font-weight", "bold")], "Legend")
        var y = top + 48
        let shown = min(sequenceLabels.count, StagePicture.maxLegendSequences)
        for j in 0..<shown {
            w.empty("use", [("xlink:href", "#m\(StagePicture.shape(j))"), ("x", n(left + 24)), ("y", n(y - 4)),
                            ("fill", StagePicture.colours[StagePicture.colour(j)]), ("stroke", "#222"), ("stroke-width", "0.6")])
            w.text("text", [("x", n(left + 38)), ("y", n(y)), ("font-size", "12")], sequenceLabels[j])
            y += 17
        }
        if sequenceLabels.count > shown {
            w.text("text", [("x", n(left + 38)), ("y", n(y)), ("font-size", "12"), ("fill", "#555")],
                   "… and \(sequenceLabels.count - shown) more (colour and marker pairs repeat after 80)")
            y += 17
        }
        y += 8
        w.empty("circle", [("cx", n(left + 24)), ("cy", n(y - 4)), ("r", "8.5"), ("fill", "none"), ("stroke", "#444"), ("stroke-width", "1.8")])
        w.text("text", [("x", n(left + 38)), ("y", n(y)), ("font-size", "12")], "target token of Yʲ (ring, in the sequence's colour)")
        y += 20
        w.empty("line", [("x1", n(left + 12)), ("y1", n(y - 4)), ("x2", n(left + 34)), ("y2", n(y - 4)), ("stroke", "#4e79a7"),
                         ("stroke-width", "0.9"), ("marker-end", "url(#a0)")])
        w.text("text", [("x", n(left + 38)), ("y", n(y)), ("font-size", "12")], "path of a token through the blocks of the stage")
        guard panels.contains(where: { $0.cubeSide != nil || $0.sphereRadius != nil || $0.diagonal }) else {
            w.close("g")
            return
        }
        y += 20
        w.empty("rect", [("x", n(left + 14)), ("y", n(y - 11)), ("width", "18"), ("height", "13"), ("fill", "#2a7f2a"), ("fill-opacity", "0.06"),
                         ("stroke", "#2a7f2a"), ("stroke-width", "1.3"), ("stroke-dasharray", "7 4")])
        w.text("text", [("x", n(left + 38)), ("y", n(y)), ("font-size", "12")], "cube (0, a)ᵈ holding the non-leaders (§5.3)")
        y += 20
        w.empty("path", [("d", "M\(n(left + 14)),\(n(y - 12))A14,14 0 0 0 \(n(left + 30)),\(n(y + 2))"), ("fill", "none"), ("stroke", "#7a3db8"),
                         ("stroke-width", "1.3"), ("stroke-dasharray", "5 3")])
        w.text("text", [("x", n(left + 38)), ("y", n(y)), ("font-size", "12")], "sphere |x|² = R of the other leaders (Lemma 4.3)")
        y += 20
        w.empty("line", [("x1", n(left + 12)), ("y1", n(y + 1)), ("x2", n(left + 34)), ("y2", n(y - 11)), ("stroke", "#8a6d00"),
                         ("stroke-width", "1.2"), ("stroke-dasharray", "2 4")])
        w.text("text", [("x", n(left + 38)), ("y", n(y)), ("font-size", "12")], "line through 1, home of the main leaders p_j = λ_j·1")
        w.close("g")
    }
}
