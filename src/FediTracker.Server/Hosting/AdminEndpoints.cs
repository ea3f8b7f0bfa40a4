using FediTracker.Server.Udp;

namespace FediTracker.Server.Hosting;

/// <summary>The admin listener's endpoints: liveness and readiness.</summary>
internal static class AdminEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/alive", () => TypedResults.Text("alive\n"));
        app.MapGet("/health", (UdpTrackerService udp, BoundEndpoints bound) =>
        {
            var udpUp = bound.Udp.Count == 0 || udp.IsListening;
            return udpUp
                ? Results.Text("healthy\n")
                : Results.Text("unhealthy: UDP listener down\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
    }
}
