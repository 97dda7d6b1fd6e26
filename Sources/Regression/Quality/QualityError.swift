/// Why a quality measurement could not be made: one line naming what (the source, the rendition) and why.
public struct QualityError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
