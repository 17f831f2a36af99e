import Foundation
import Testing
import TensorEngine
import Layers
@testable import Models

/// Loads the fixture's weights (renamed by `rename`) into `model` and checks logits in eval and
/// train mode and the gradients of the input and of every parameter.
func expectParity(_ model: some ClassificationModel, _ fixture: ParityFixture, name: String,
                  rename: @escaping (String) -> String? = { $0 }, trainLogitsKey: String = "logits",
                  sourceLocation: SourceLocation = #_sourceLocation) throws {
    _ = try model.loadState(fixture.weights(rename), source: name)
    let input = try fixture.tensor("input")
    let expected = try fixture.tensor("logits")
    let evaluated = Tape.withoutRecording { model(input, .evaluation()) }
    #expect(evaluated.shape == expected.shape, sourceLocation: sourceLocation)
    let logitError = relativeError(evaluated.scalars, expected.scalars)
    #expect(logitError < 1e-4, "\(name): eval logits differ by \(logitError)", sourceLocation: sourceLocation)

    model.prepareForTraining()
    input.requiringGrad()
    let logits = model(input, ForwardContext(training: true))
    let trainExpected = try fixture.tensor(trainLogitsKey)
    let trainError = relativeError(logits.scalars, trainExpected.scalars)
    #expect(trainError < 1e-4, "\(name): train logits differ by \(trainError)", sourceLocation: sourceLocation)
    logits.backward(gradient: try fixture.tensor("upstream"))
    let inputError = relativeError(input.grad?.scalars ?? [], try fixture.tensor("grad.input").scalars)
    #expect(inputError < 1e-3, "\(name): input gradient differs by \(inputError)", sourceLocation: sourceLocation)

    let ours = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.name, $0.tensor) })
    var checked = 0
    for entry in fixture.file.entries where entry.name.hasPrefix("grad.") && entry.name != "grad.input" {
        let sourceName = String(entry.name.dropFirst("grad.".count))
        guard let parameter = rename(sourceName).flatMap({ ours[$0] }) else {
            Issue.record("\(name): no parameter for \(sourceName)", sourceLocation: sourceLocation)
            continue
        }
        let error = relativeError(parameter.grad?.scalars ?? [], entry.tensor().scalars)
        #expect(error < 1e-3, "\(name): gradient of \(sourceName) differs by \(error)", sourceLocation: sourceLocation)
        checked += 1
    }
    #expect(checked == ours.count, "\(name): checked \(checked) of \(ours.count) parameters", sourceLocation: sourceLocation)
}
