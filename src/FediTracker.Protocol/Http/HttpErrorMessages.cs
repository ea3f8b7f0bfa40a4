namespace FediTracker.Protocol.Http;

/// <summary>The bencoded <c>failure reason</c> text for each <see cref="HttpAnnounceError"/>.</summary>
public static class HttpErrorMessages
{
    public static string For(HttpAnnounceError error) => error switch
    {
        HttpAnnounceError.MissingInfoHash => "missing info_hash",
        HttpAnnounceError.InvalidInfoHash => "invalid info_hash: it must be 20 bytes, percent-encoded",
        HttpAnnounceError.DuplicateInfoHash => "info_hash given more than once",
        HttpAnnounceError.MissingPeerId => "missing peer_id",
        HttpAnnounceError.InvalidPeerId => "invalid peer_id: it must be 20 bytes",
        HttpAnnounceError.MissingPort => "missing port",
        HttpAnnounceError.InvalidPort => "invalid port: it must be 1 to 65535",
        HttpAnnounceError.MissingLeft => "missing left",
        HttpAnnounceError.InvalidNumber => "invalid number in uploaded, downloaded, left or numwant",
        HttpAnnounceError.InvalidEvent => "invalid event: use started, stopped, completed, paused or nothing",
        HttpAnnounceError.InvalidEscape => "invalid percent-encoding in the query",
        HttpAnnounceError.DuplicateParameter => "a parameter is given more than once",
        HttpAnnounceError.TooManyInfoHashes => "too many info_hash values in one scrape",
        HttpAnnounceError.QueryTooLong => "query string too long",
        _ => "invalid request",
    };
}
