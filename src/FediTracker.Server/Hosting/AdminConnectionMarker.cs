namespace FediTracker.Server.Hosting;

/// <summary>Marks a connection accepted on an admin endpoint, so the request pipeline can tell the two listeners apart.</summary>
internal static class AdminConnectionMarker
{
    public const string ItemKey = "feditracker.admin";
}
