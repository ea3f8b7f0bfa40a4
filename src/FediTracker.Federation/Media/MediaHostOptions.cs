namespace FediTracker.Federation.Media;

/// <summary>The hosts one instance serves its media from, besides its own origin (<see cref="TorrentOptions.MediaHosts"/>).</summary>
public sealed class MediaHostOptions
{
    /// <summary>The instance: a host (<c>social.example</c>) or <c>host:port</c>, matched against the actor's URL.</summary>
    public string Domain { get; set; } = string.Empty;

    /// <summary>Its media hosts (<c>files.social.example</c>), each a host or <c>host:port</c>.</summary>
    public List<string> Hosts { get; set; } = [];
}
