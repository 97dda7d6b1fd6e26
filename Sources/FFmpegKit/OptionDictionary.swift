internal import CFFmpeg

/// Owns an `AVDictionary` of options for one FFmpeg call; what the call did not consume stays in it.
struct OptionDictionary: ~Copyable {
    var pointer: OpaquePointer?

    init(_ values: [String: String]) {
        var built: OpaquePointer? = nil
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            av_dict_set(&built, key, value, 0)
        }
        pointer = built
    }

    deinit {
        var owned = pointer
        av_dict_free(&owned)
    }

    /// Keys the call did not recognise.
    var keys: [String] {
        var result: [String] = []
        var entry: UnsafeMutablePointer<AVDictionaryEntry>? = nil
        while let next = av_dict_get(pointer, "", entry, AV_DICT_IGNORE_SUFFIX) {
            result.append(String(cString: next.pointee.key))
            entry = next
        }
        return result
    }
}
