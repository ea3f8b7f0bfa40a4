namespace FediTracker.Server.Hosting;

/// <summary>Logs, once the host has started, every address the tracker listens on.</summary>
internal sealed partial class ListeningLogger : IHostedService
{
    private readonly IHostApplicationLifetime _lifetime;
    private readonly BoundEndpoints _bound;
    private readonly ILogger<ListeningLogger> _logger;

    public ListeningLogger(IHostApplicationLifetime lifetime, BoundEndpoints bound, ILogger<ListeningLogger> logger)
    {
        _lifetime = lifetime;
        _bound = bound;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var endpoint in _bound.Http)
            {
                Log.Listening(_logger, "HTTP tracker", "http", endpoint);
            }

            foreach (var endpoint in _bound.Udp)
            {
                Log.Listening(_logger, "UDP tracker", "udp", endpoint);
            }

            foreach (var endpoint in _bound.Admin)
            {
                Log.Listening(_logger, "admin", "http", endpoint);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Listening ({Kind}) on {Scheme}://{Endpoint}")]
        public static partial void Listening(ILogger logger, string kind, string scheme, System.Net.IPEndPoint endpoint);
    }
}
