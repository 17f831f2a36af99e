import Foundation
import Testing
@testable import Results

@Suite struct ReportFormatTests {
    let utc = TimeZone(identifier: "UTC")!

    /// A run's evaluated averages get a row each under it: the best of each, with its top-5 and epoch.
    @Test func averagesGetRowsBesideTheirRun() throws {
        let run = Fixtures.summaries[0].run.id
        let records = [(1, "swa", 40.0, 90.0), (2, "swa", 55.5, 97.25), (3, "swa", 50.0, 96.0), (2, "ema", 41.0, 88.0)].map {
            AveragedEpochRecord(runID: run, epoch: $0.0, weights: $0.1, valLoss: 1, top1: $0.2, top5: $0.3, evalImagesPerSecond: nil)
        }
        let rows = try CSVReader.parse(Report.runs(Fixtures.summaries, averaged: [run: records]).render(.csv))
        #expect(rows.count == 1 + Fixtures.summaries.count + 2)
        let name = Fixtures.summaries[0].run.name
        #expect(rows[2][1] == "\(name) · ema" && Double(rows[2][5]) == 41 && rows[2][7] == "2", "\(rows[2])")
        #expect(rows[3][1] == "\(name) · swa" && Double(rows[3][5]) == 55.5 && Double(rows[3][6]) == 97.25 && rows[3][7] == "2",
                "\(rows[3])")
        #expect(rows[4][1] == Fixtures.summaries[1].run.name)
    }

    @Test func textTableAlignsColumns() {
        let text = Report.runs(Fixtures.summaries, timeZone: utc).render(.text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(lines.count == 2 + Fixtures.summaries.count)
        #expect(lines[0].hasPrefix("id  name"))
        #expect(lines[1].allSatisfy { $0 == "-" || $0 == " " })
        // Columns line up: every "status" value starts where its header does.
        let statusColumn = lines[0].range(of: "status")!.lowerBound.utf16Offset(in: lines[0])
        for (line, status) in zip(lines.dropFirst(2), ["finished", "finished", "died", "failed"]) {
            let index = line.index(line.startIndex, offsetBy: statusColumn)
            #expect(line[index...].hasPrefix(status), "\(line)")
        }
        #expect(text.contains("2025-06-15 15:06"))
        #expect(text.contains("28.3M"))
        #expect(text.contains("20/20"))
        print(text)
    }

    /// The command line's tables (`runner models`, `runner bench`): grouped integers and numbers
    /// with a unit sign right-aligned in text, bare numbers for machines; no trailing blanks.
    @Test func groupedIntegersAndQuantities() throws {
        let table = ReportTable(columns: [TableColumn("kernel"), TableColumn("params"), TableColumn("% copy"), TableColumn("2T/1T")],
                                rows: [[.text("copy"), .groupedInteger(28_347_154), .quantity(100, decimals: 0, unit: "%"),
                                        .quantity(1.9449, decimals: 2, unit: "×")],
                                       [.text("layer norm forward"), .groupedInteger(-947), .quantity(93.6, decimals: 0, unit: "%"),
                                        .quantity(2, decimals: 2, unit: "×")]])
        #expect(table.render(.text) == """
            kernel                  params  % copy  2T/1T
            ------------------  ----------  ------  -----
            copy                28,347,154    100%  1.94×
            layer norm forward        -947     94%  2.00×

            """)
        #expect(table.render(.csv) == "kernel,params,% copy,2T/1T\r\ncopy,28347154,100.0,1.9449\r\nlayer norm forward,-947,93.6,2.0\r\n")
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(table.render(.json).utf8)) as? [[String: Any]])
        #expect(objects[0]["params"] as? Int == 28_347_154 && objects[1]["% copy"] as? Double == 93.6)
    }

    @Test func markdownTableHasHeaderRuleAndEscapedPipes() {
        let table = ReportTable(columns: [TableColumn("name"), TableColumn("top-1")],
                                rows: [[.text("a|b"), .number(81.234, decimals: 2)], [.text("c"), .empty]])
        #expect(table.render(.markdown) == """
            | name | top-1 |
            | --- | ---: |
            | a\\|b | 81.23 |
            | c |  |

            """)
    }

    @Test func csvQuotesPerRFC4180AndParsesBack() throws {
        let table = ReportTable(columns: [TableColumn("name"), TableColumn("note"), TableColumn("x")], rows: [
            [.text("plain"), .text("comma, here"), .number(0.1, decimals: 1)],
            [.text("say \"hi\""), .text("two\nlines"), .integer(3)],
            [.text(""), .empty, .count(28_347_154)],
        ])
        let csv = table.render(.csv)
        #expect(csv == "name,note,x\r\nplain,\"comma, here\",0.1\r\n\"say \"\"hi\"\"\",\"two\nlines\",3\r\n,,28347154\r\n")
        #expect(try CSVReader.parse(csv) == [
            ["name", "note", "x"], ["plain", "comma, here", "0.1"], ["say \"hi\"", "two\nlines", "3"], ["", "", "28347154"],
        ])
        let runs = try CSVReader.parse(Report.runs(Fixtures.summaries).render(.csv))
        #expect(runs.count == 1 + Fixtures.summaries.count)
        #expect(runs[0].first == "id" && runs[0].contains("best_top1"))
        #expect(runs[2][1] == "swinv2 tiny, \"w8\"")
    }

    @Test func jsonParsesBackWithTypedValues() throws {
        let json = Report.runs(Fixtures.summaries).render(.json)
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(objects.count == Fixtures.summaries.count)
        let first = objects[0]
        #expect(first["id"] as? Int == 1)
        #expect(first["name"] as? String == "resnet18 baseline")
        #expect(first["parameters"] as? Int == 11_689_512)
        let best = try #require(Fixtures.summaries[0].bestEpoch?.top1)
        #expect(first["best_top1"] as? Double == best)
        #expect(first["status"] as? String == "finished")
        #expect((first["started_at"] as? String)?.hasPrefix("2025-06-15T15:06:40") == true)
        #expect(objects[1]["name"] as? String == "swinv2 tiny, \"w8\"")
        #expect(objects[3]["best_top1"] is NSNull)
        #expect(ReportTable(columns: [TableColumn("a")], rows: []).render(.json) == "[]\n")
        let tricky = ReportTable(columns: [TableColumn("s")], rows: [[.text("tab\tquote\"back\\slash\u{1}")]]).render(.json)
        let parsed = try JSONSerialization.jsonObject(with: Data(tricky.utf8)) as? [[String: String]]
        #expect(parsed?.first?["s"] == "tab\tquote\"back\\slash\u{1}")
    }

    @Test func epochTableAndCompareTable() throws {
        let epochs = Report.epochs(Fixtures.summaries[0].epochs, timeZone: utc)
        #expect(epochs.rows.count == 20)
        #expect(epochs.columns.map(\.key).prefix(5) == ["epoch", "train_loss", "val_loss", "top1", "top5"])

        let compare = Report.compare(Array(Fixtures.summaries.prefix(3)), metrics: [.top1, .trainLoss])
        #expect(compare.columns.count == 1 + 3 * 2)
        #expect(compare.columns[1].title == "#1 resnet18 baseline top-1")
        #expect(compare.rows.count == 20)  // union of epoch numbers
        #expect(compare.rows[19][3] == .empty)  // run 2 stopped at 15
        #expect(compare.rows[0][1] == .number(Fixtures.summaries[0].epochs[0].top1, decimals: 2))
        let compareJSON = try JSONSerialization.jsonObject(with: Data(compare.render(.json).utf8)) as? [[String: Any]]
        #expect(compareJSON?.count == 20)
        print(compare.render(.text))
    }

    @Test func evaluationTable() throws {
        let rows = [EvaluationRecord(id: 1, runID: RunID(2), checkpoint: "runs/2/best.safetensors", dataset: "imagenet",
                                     split: "val", loss: 0.8, top1: 81.6, top5: 95.7, imagesPerSecond: 50, samples: 50_000,
                                     recordedAt: Fixtures.start)]
        let csv = try CSVReader.parse(Report.evaluations(rows).render(.csv))
        #expect(csv[0] == ["id", "run_id", "checkpoint", "dataset", "split", "loss", "top1", "top5", "images_per_second",
                           "samples", "precision", "recorded_at"])
        #expect(csv[1][6] == "81.6")
        // Evaluations recorded before stores kept the precision ran in float32.
        #expect(csv[1][10] == "float32")
    }
}
