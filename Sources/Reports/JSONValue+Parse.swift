import Foundation

/// A JSON document that could not be read back: what was wrong, for a one-line message.
public struct JSONReadError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension JSONValue: Decodable {
    /// Reads a JSON document (a report, a baseline, a sweep result line) back.
    ///
    /// Numbers become `.integer` when they fit an `Int64`, `.unsigned` when they fit a
    /// `UInt64` (seeds), `.number` otherwise, so counts read back exactly.
    ///
    /// - Throws: ``JSONReadError`` saying where the syntax broke.
    public static func parse(_ data: Data) throws(JSONReadError) -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let error as DecodingError {
            throw JSONReadError(Self.describe(error))
        } catch {
            throw JSONReadError("\(error)")
        }
    }

    public init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !array.isAtEnd { items.append(try array.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        if let object = try? decoder.container(keyedBy: MemberKey.self) {
            self = .object(try object.allKeys.map { ($0.stringValue, try object.decode(JSONValue.self, forKey: $0)) })
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let value = try? single.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? single.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? single.decode(UInt64.self) {
            self = .unsigned(value)
        } else if let value = try? single.decode(Double.self) {
            self = .number(value)
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    private struct MemberKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return "not valid JSON" + (underlying.map { ": \($0)" } ?? (context.debugDescription.isEmpty ? "" : ": \(context.debugDescription)"))
        default:
            return "not valid JSON: \(error)"
        }
    }

    /// The member `key` of an object (nil for a missing member or a non-object).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number as a `Double`, if this is a number.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .unsigned(let value): return Double(value)
        case .number(let value): return value
        default: return nil
        }
    }

    /// The number as a `UInt64`, if it is a non-negative integer.
    public var unsignedValue: UInt64? {
        switch self {
        case .integer(let value): return value >= 0 ? UInt64(value) : nil
        case .unsigned(let value): return value
        case .number(let value): return value >= 0 && value == value.rounded() && value < 1.8e19 ? UInt64(value) : nil
        default: return nil
        }
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// The members sorted by key (UTF-8 byte order), if this is an object.
    public var sortedMembers: [(String, JSONValue)]? {
        guard case .object(let members) = self else { return nil }
        return members.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
    }
}
