using FediTracker.Core.Swarms;
using FediTracker.Server.Udp;

namespace FediTracker.Server.Hosting;

/// <summary>The admin listener's endpoints: liveness and readiness.</summary>
internal static class AdminEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/alive", () => TypedResults.Text("alive\n"));
        app.MapGet("/health", async (UdpTrackerService udp, BoundEndpoints bound, AccessSyncService access, IServiceProvider services) =>
        {
            var problems = new List<string>();
            if (!access.Loaded)
            {
                problems.Add("registry not loaded yet");
            }

            if (bound.Udp.Count > 0 && !udp.IsListening)
            {
                problems.Add("UDP listener down");
            }

            if (services.GetService<ISwarmStoreHealth>() is { } store && !await store.IsHealthyAsync())
            {
                problems.Add("swarm store unreachable");
            }

            return problems.Count == 0
                ? Results.Text("healthy\n")
                : Results.Text($"unhealthy: {string.Join("; ", problems)}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
    }
}
