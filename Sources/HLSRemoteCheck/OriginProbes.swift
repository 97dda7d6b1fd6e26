import Foundation
import HLSChecker
import HLSModel

/// The origin rules a client can try without disturbing the stream (HLS-RULES O1, O2), sent once per
/// media playlist that advertises CAN-BLOCK-RELOAD=YES and has no ENDLIST:
///
/// - `_HLS_part=0` without `_HLS_msn` is answered 400;
/// - `_HLS_msn` three segments past the segment in progress is answered 400, at once;
/// - `_HLS_msn` of a segment already listed is answered 200 at once, with a playlist that lists it.
struct OriginProbes {
    let address: StreamAddress
    let fetcher: StreamFetcher
    let log: RemoteFailureLog
    let tolerances: LiveTolerances

    func run(_ source: MediaPlaylistSource, _ playlist: MediaPlaylist) async {
        guard playlist.serverControl?.canBlockReload == true, !playlist.endList else { return }
        let targetDuration = Double(playlist.targetDuration)
        let prompt = tolerances.prompt(targetDuration)
        let edge = PlaylistEdge(playlist)

        if let answer = await get(source, "_HLS_part=0", timeout: 3 * targetDuration + prompt), answer.status != 400 {
            log.add("O2", source.name, "_HLS_part without _HLS_msn was answered \(answer.status), not 400")
        }
        let ahead = edge.sequence + 3
        if let answer = await get(source, "_HLS_msn=\(ahead)", timeout: 3 * targetDuration + prompt) {
            if answer.status != 400 {
                log.add("O2", source.name, "_HLS_msn=\(ahead), more than two segments past the live edge, was answered \(answer.status) after \(HeaderRules.format(answer.elapsed)) s, not 400")
            } else if answer.elapsed > prompt {
                log.add("O2", source.name, "_HLS_msn=\(ahead) was answered 400 only after \(HeaderRules.format(answer.elapsed)) s; it must be at once (within \(HeaderRules.format(prompt)) s)")
            }
        }
        guard edge.sequence > playlist.mediaSequence else { return }  // no complete segment listed yet
        let listed = edge.sequence - 1
        if let answer = await get(source, "_HLS_msn=\(listed)", timeout: 3 * targetDuration + prompt) {
            if answer.status != 200 {
                log.add("O1", source.name, "_HLS_msn=\(listed), a segment already listed, was answered \(answer.status)")
            } else if answer.elapsed > prompt {
                log.add("O1", source.name, "_HLS_msn=\(listed), a segment already listed, was held \(HeaderRules.format(answer.elapsed)) s; it must be answered at once (within \(HeaderRules.format(prompt)) s)")
            } else if let text = String(validating: answer.body, as: UTF8.self), let reloaded = try? MediaPlaylist.parse(text),
                      !PlaylistHistory.satisfies(reloaded, msn: listed, part: nil) {
                log.add("O1", source.name, "_HLS_msn=\(listed) was answered with a playlist that lists only up to \(PlaylistEdge(reloaded))")
            }
        }
    }

    /// The answer to the playlist with `query`, or nil (reported) when there is none.
    private func get(_ source: MediaPlaylistSource, _ query: String, timeout: Double) async -> FetchedResource? {
        guard let url = URL(string: source.url.absoluteString + "?" + query) else { return nil }
        do {
            return try await fetcher.get(url, limit: OutputFolder.playlistLimit, timeout: timeout, allowRedirect: { address.contains($0) })
        } catch {
            log.add("O2", source.name, "GET ?\(query): \(error)")
            return nil
        }
    }
}
