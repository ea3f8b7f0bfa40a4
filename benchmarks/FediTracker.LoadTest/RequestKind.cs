namespace FediTracker.LoadTest;

internal enum RequestKind : byte
{
    None,
    Connect,
    Announce,
    Scrape,
}
