/// Element-wise arithmetic between tensors, with NumPy broadcasting. Gradients are summed back
/// to each operand's shape by ``Tensor/accumulateBroadcastGrad(_:)``.
extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastArithmetic(a, b, op: "add", AddKernel.self)
        if Tape.needsRecording(a, b) {
            let (slotA, slotB) = (a.gradientSlot, b.gradientSlot)
            Tape.record(out) { g in
                // g is the output's own gradient buffer: the last consumer may keep it (residual
                // connections then cost one gradient copy instead of two).
                if slotB.requiresGrad {
                    slotA.accumulateBroadcastGrad(g)
                    slotB.accumulateBroadcastGrad(owned: g)
                } else {
                    slotA.accumulateBroadcastGrad(owned: g)
                }
            }
        }
        return out
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastArithmetic(a, b, op: "sub", SubtractKernel.self)
        if Tape.needsRecording(a, b) {
            let (slotA, slotB) = (a.gradientSlot, b.gradientSlot)
            Tape.record(out) { g in
                slotA.accumulateBroadcastGrad(g)
                if slotB.requiresGrad { slotB.accumulateBroadcastGrad(mapElements(g) { -$0 }) }
            }
        }
        return out
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastArithmetic(a, b, op: "mul", MultiplyKernel.self)
        if Tape.needsRecording(a, b) {
            Tape.record(out) { g in
                if a.requiresGrad { a.accumulateBroadcastGrad(broadcastArithmetic(g, b, op: "mul backward", MultiplyKernel.self)) }
                if b.requiresGrad { b.accumulateBroadcastGrad(broadcastArithmetic(g, a, op: "mul backward", MultiplyKernel.self)) }
            }
        }
        return out
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastArithmetic(a, b, op: "div", DivideKernel.self)
        if Tape.needsRecording(a, b) {
            Tape.record(out) { g in
                if a.requiresGrad { a.accumulateBroadcastGrad(broadcastArithmetic(g, b, op: "div backward", DivideKernel.self)) }
                if b.requiresGrad {
                    // d(a/b)/db = −(a/b)/b = −out/b
                    let gOut = zipElements(g, out) { $0 * $1 }
                    b.accumulateBroadcastGrad(broadcastArithmetic(gOut, b, op: "div backward", NegatedDivideKernel.self))
                }
            }
        }
        return out
    }

    public static prefix func - (x: Tensor) -> Tensor {
        x * -1
    }
}
