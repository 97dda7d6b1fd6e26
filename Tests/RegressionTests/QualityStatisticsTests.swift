import Regression
import Foundation
import XCTest

final class QualityStatisticsTests: XCTestCase {
    func testMeanHarmonicMeanAndPercentile() throws {
        let values = [1.0, 2.0, 4.0]
        XCTAssertEqual(QualityStatistics.mean(values), 7.0 / 3.0)
        XCTAssertEqual(try XCTUnwrap(QualityStatistics.harmonicMean(values)), 3.0 / 1.75, accuracy: 1e-12)
        // n = 3: rank ceil(0.15) = 1, the smallest.
        XCTAssertEqual(QualityStatistics.percentile5(values), 1.0)
    }

    func testPercentileIsNearestRank() {
        // n = 40: rank ceil(2.0) = 2; n = 41: rank ceil(2.05) = 3. Unsorted input is sorted first.
        let forty = (1...40).map(Double.init).reversed().map { $0 }
        XCTAssertEqual(QualityStatistics.percentile5(forty), 2.0)
        XCTAssertEqual(QualityStatistics.percentile5((1...41).map(Double.init)), 3.0)
        XCTAssertEqual(QualityStatistics.percentile5([7.5]), 7.5)
    }

    func testHarmonicMeanLeavesOutValuesAtOrBelowZero() {
        XCTAssertEqual(QualityStatistics.harmonicMean([0, 2, 2]), 2.0)
        XCTAssertEqual(QualityStatistics.harmonicMean([-0.1, 0]), 0)
    }

    func testEmptyHasNoStatistics() {
        XCTAssertNil(QualityStatistics.mean([]))
        XCTAssertNil(QualityStatistics.harmonicMean([]))
        XCTAssertNil(QualityStatistics.percentile5([]))
        XCTAssertNil(MetricSummary([]))
    }

    func testSummaryIsRoundedToFourDecimalsAndCodable() throws {
        let summary = try XCTUnwrap(MetricSummary([1.0, 2.0, 4.0]))
        XCTAssertEqual(summary, MetricSummary(mean: 2.3333, harmonicMean: 1.7143, p5: 1.0, frames: 3))
        XCTAssertEqual(summary.mean, 2.3333)
        XCTAssertEqual(summary.harmonicMean, 1.7143)
        let decoded = try JSONDecoder().decode(MetricSummary.self, from: JSONEncoder().encode(summary))
        XCTAssertEqual(decoded, summary)
    }
}
