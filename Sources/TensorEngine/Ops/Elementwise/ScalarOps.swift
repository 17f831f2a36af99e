/// Arithmetic between a tensor and a constant.
extension Tensor {
    public static func + (x: Tensor, s: Float) -> Tensor {
        let out = mapElements(x) { $0 + s }
        if Tape.needsRecording(x) {
            let slot = x.gradientSlot
            Tape.record(out) { g in slot.accumulateGrad(g) }
        }
        return out
    }

    public static func + (s: Float, x: Tensor) -> Tensor { x + s }

    public static func - (x: Tensor, s: Float) -> Tensor { x + (-s) }

    public static func - (s: Float, x: Tensor) -> Tensor {
        let out = mapElements(x) { s - $0 }
        if Tape.needsRecording(x) {
            let slot = x.gradientSlot
            Tape.record(out) { g in slot.accumulateGrad(owned: mapElements(g) { -$0 }) }
        }
        return out
    }

    public static func * (x: Tensor, s: Float) -> Tensor {
        let out = mapElements(x) { $0 * s }
        if Tape.needsRecording(x) {
            let slot = x.gradientSlot
            Tape.record(out) { g in slot.accumulateGrad(owned: mapElements(g) { $0 * s }) }
        }
        return out
    }

    public static func * (s: Float, x: Tensor) -> Tensor { x * s }

    public static func / (x: Tensor, s: Float) -> Tensor { x * (1 / s) }

    public static func / (s: Float, x: Tensor) -> Tensor {
        let out = mapElements(x) { s / $0 }
        if Tape.needsRecording(x) {
            // d(s/x)/dx = −s/x² = −out/x
            Tape.record(out) { g in
                let gOut = zipElements(g, out) { $0 * $1 }
                x.accumulateGrad(owned: zipElements(gOut, x) { -$0 / $1 })
            }
        }
        return out
    }
}
