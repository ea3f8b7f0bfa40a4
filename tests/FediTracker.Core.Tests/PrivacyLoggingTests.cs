using FediTracker.Core.Diagnostics;
using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FediTracker.Core.Tests;

public sealed class PrivacyLoggingTests
{
    private static readonly PeerEndpoint Client = new(PeerAddress.FromIPv4(0xC6336407), 6881); // 198.51.100.7

    [TestCase(false)]
    [TestCase(true)]
    public async Task Refusals_name_the_client_address_only_when_the_operator_asks(bool logAddresses)
    {
        var logger = new CapturingLogger();
        var options = new TrackerOptions { RateLimitPerSecond = 0.001, RateLimitBurst = 1, LogClientAddresses = logAddresses, AccessMode = FediTracker.Core.Registry.AccessMode.Open };
        var tracker = new Tracker(new MemorySwarmStore(new FakeTimeProvider(), TimeSpan.FromMinutes(30)), Options.Create(options), new TrackerMetrics(new StandaloneMeterFactory()), logger);
        var request = new AnnounceRequest(InfoHash.Read(new byte[20]), PeerId.Read(new byte[20]), Client, 0, 0, 10, AnnounceEvent.None, 10);

        (await tracker.AnnounceAsync(Transport.Udp, request, new PeerEntry[10], CancellationToken.None)).Succeeded.Should().BeTrue();
        (await tracker.AnnounceAsync(Transport.Udp, request, new PeerEntry[10], CancellationToken.None)).FailureReason.Should().Be(FailureReasons.RateLimited);

        logger.Entries.Should().ContainSingle(e => e.Message.Contains("rate_limited", StringComparison.Ordinal))
            .Which.Level.Should().Be(LogLevel.Debug);
        logger.Entries.Any(e => e.Message.Contains("198.51.100.7", StringComparison.Ordinal)).Should().Be(logAddresses);
        logger.Entries.Should().NotContain(e => e.Level >= LogLevel.Information && e.Message.Contains("198.51.100.7", StringComparison.Ordinal));
    }

    private sealed class CapturingLogger : ILogger<Tracker>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
