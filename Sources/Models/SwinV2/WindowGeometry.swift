import Foundation
import TensorEngine

/// The fixed tables of windowed attention for one window size: which bias-table row each
/// (query, key) pair reads, the log-spaced relative coordinates the continuous position bias
/// MLP sees, and the shift masks. They derive from the architecture alone, so they are computed,
/// not trained or loaded.
enum WindowGeometry {
    /// `[(2w−1)·(2w−1), 2]`: relative offsets (dh, dw) ∈ [−(w−1), w−1]², scaled to ±8 by
    /// `normaliser − 1` and mapped `t ↦ sign(t)·log2(|t|+1)/log2(8)` (SwinV2's log-spaced CPB).
    static func relativeCoordinatesTable(window: Int, pretrainedWindow: Int) -> Tensor {
        let span = 2 * window - 1
        let normaliser = Float(pretrainedWindow > 0 ? pretrainedWindow - 1 : window - 1)
        var values: [Float] = []
        values.reserveCapacity(span * span * 2)
        for dh in -(window - 1)...(window - 1) {
            for dw in -(window - 1)...(window - 1) {
                for offset in [dh, dw] {
                    var t = normaliser > 0 ? Float(offset) / normaliser : 0
                    t *= 8
                    let mapped = (t < 0 ? -1 : (t > 0 ? 1 : 0)) * Float(log2(Double(abs(t)) + 1) / log2(8.0))
                    values.append(mapped)
                }
            }
        }
        return Tensor(shape: [span * span, 2], values: values)
    }

    /// `[w²·w²]`: for query token i and key token j of a window (row-major), the row of the
    /// relative-position table: `(hi − hj + w − 1)·(2w − 1) + (wi − wj + w − 1)`.
    static func relativePositionIndex(window: Int) -> [Int32] {
        let tokens = window * window
        var index = [Int32](repeating: 0, count: tokens * tokens)
        for i in 0..<tokens {
            for j in 0..<tokens {
                let dh = i / window - j / window + window - 1
                let dw = i % window - j % window + window - 1
                index[i * tokens + j] = Int32(dh * (2 * window - 1) + dw)
            }
        }
        return index
    }

    /// `[windows, w², w²]`: 0 where query and key come from the same region of the cyclically
    /// shifted (and padded) map, −100 where they do not, so attention never crosses the seams the
    /// roll creates. `height`, `width` are the padded map size.
    static func shiftMask(height: Int, width: Int, window: Int, shift: Int) -> Tensor {
        func region(_ position: Int, _ size: Int) -> Int {
            position < size - window ? 0 : (position < size - shift ? 1 : 2)
        }
        var labels = [Int](repeating: 0, count: height * width)
        for h in 0..<height { for w in 0..<width { labels[h * width + w] = region(h, height) * 3 + region(w, width) } }
        let windowsH = height / window, windowsW = width / window, tokens = window * window
        let mask = Tensor.zeros([windowsH * windowsW, tokens, tokens])
        let out = mask.data
        for wh in 0..<windowsH {
            for ww in 0..<windowsW {
                let base = (wh * windowsW + ww) * tokens * tokens
                for i in 0..<tokens {
                    let li = labels[(wh * window + i / window) * width + ww * window + i % window]
                    for j in 0..<tokens {
                        let lj = labels[(wh * window + j / window) * width + ww * window + j % window]
                        out[base + i * tokens + j] = li == lj ? 0 : -100
                    }
                }
            }
        }
        return mask
    }
}

extension Tensor {
    /// `[B, H, W, C]` → `[B·(H/w)·(W/w), w·w, C]`: the tokens of each w×w window, windows in
    /// row-major order. H and W must be multiples of `window`.
    func windowPartitioned(_ window: Int) -> Tensor {
        let (b, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
        return reshaped([b, h / window, window, w / window, window, c])
            .permuted([0, 1, 3, 2, 4, 5])
            .reshaped([b * (h / window) * (w / window), window * window, c])
    }

    /// The inverse of ``windowPartitioned(_:)``: `[B·(H/w)·(W/w), w·w, C]` → `[B, H, W, C]`.
    func windowsMerged(_ window: Int, height: Int, width: Int) -> Tensor {
        let c = shape[2]
        let b = shape[0] / ((height / window) * (width / window))
        return reshaped([b, height / window, width / window, window, window, c])
            .permuted([0, 1, 3, 2, 4, 5])
            .reshaped([b, height, width, c])
    }
}
