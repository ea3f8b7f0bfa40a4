namespace FediTracker.Protocol.Http;

/// <summary>Why an HTTP announce or scrape query was refused. Each has a fixed message in <see cref="HttpErrorMessages"/>.</summary>
public enum HttpAnnounceError
{
    None = 0,
    MissingInfoHash,
    InvalidInfoHash,
    DuplicateInfoHash,
    MissingPeerId,
    InvalidPeerId,
    MissingPort,
    InvalidPort,
    MissingLeft,
    InvalidNumber,
    InvalidEvent,
    InvalidEscape,
    DuplicateParameter,
    TooManyInfoHashes,
    QueryTooLong,
}
