namespace FediTracker.Server.Tests.Robustness;

/// <summary>One HTTP response as read off the wire by <see cref="RawHttpConnection"/>.</summary>
/// <param name="Closes">Whether the server closes the connection after it.</param>
internal sealed record RawHttpResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body, bool Closes);
