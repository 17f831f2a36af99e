import Foundation

/// A linear mapping from data values to pixels with "nice" tick marks (1, 2 or 5 × 10ⁿ apart).
///
/// Used by ``Plot`` for both axes; the domain is widened to whole ticks so curves never touch
/// the frame at an arbitrary value.
struct AxisScale {
    /// Domain, after widening to whole ticks.
    let lower: Double
    let upper: Double
    /// Distance between ticks.
    let step: Double
    /// Pixel range the domain maps onto (may be reversed for a y axis).
    let pixelStart: Double
    let pixelEnd: Double

    /// A scale covering `values` with about `targetTicks` ticks; `integral` forces whole-number steps.
    init(covering values: [Double], pixels: (start: Double, end: Double), targetTicks: Int = 5,
         integral: Bool = false, includeZero: Bool = false)
    {
        var low = values.min() ?? 0
        var high = values.max() ?? 1
        if includeZero { low = min(low, 0) }
        if high - low < 1e-12 {
            let pad = max(abs(high) * 0.05, integral ? 1 : 1e-3)
            low -= pad
            high += pad
        }
        var step = AxisScale.niceStep((high - low) / Double(max(targetTicks, 1)))
        if integral { step = max(1, step.rounded()) }
        lower = (low / step).rounded(.down) * step
        upper = (high / step).rounded(.up) * step
        self.step = step
        pixelStart = pixels.start
        pixelEnd = pixels.end
    }

    /// 1, 2 or 5 times a power of ten, the smallest not below `rough`.
    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 1 }
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        for m in [1.0, 2, 5, 10] where m * magnitude >= rough * (1 - 1e-9) { return m * magnitude }
        return 10 * magnitude
    }

    /// Pixel position of `value`.
    func pixel(_ value: Double) -> Double {
        pixelStart + (value - lower) / (upper - lower) * (pixelEnd - pixelStart)
    }

    /// Tick values from lower to upper.
    var ticks: [Double] {
        let count = Int(((upper - lower) / step).rounded())
        return (0...count).map { lower + Double($0) * step }
    }

    /// A tick label with as many decimals as the step needs.
    func label(_ value: Double) -> String {
        let decimals = max(0, -Int((log10(step)).rounded(.down)))
        let text = String(format: "%.\(decimals)f", value)
        return text == "-0" ? "0" : text
    }
}
