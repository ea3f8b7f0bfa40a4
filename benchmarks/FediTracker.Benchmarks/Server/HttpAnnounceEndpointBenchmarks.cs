using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using System.Net;
using BenchmarkDotNet.Attributes;
using FediTracker.Benchmarks.Store;
using FediTracker.Core;
using FediTracker.Core.Diagnostics;
using FediTracker.Core.Swarms;
using FediTracker.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace FediTracker.Benchmarks.Server;

/// <summary>
/// The HTTP tracker's own share of an announce: <c>HttpTrackerEndpoint.HandleAsync</c> from the request Kestrel has
/// parsed to the reply written into the response body writer, over the memory store (path and query dispatch, client
/// address, query parse, <c>Tracker.AnnounceAsync</c>, bencoded compact reply, status, content type and length).
/// Kestrel's own work (reading the socket, parsing the request line and headers, the strings it makes for path and
/// query, flushing) is not in it: the context is a <see cref="DefaultHttpContext"/> made once, whose response headers
/// keep the content length as a number as Kestrel's do, and whose body writer discards what is written. The
/// announcers are 1 024 existing leechers of a swarm of 10 000 IPv4 peers, each with its own address and query
/// string, taken in turn; each asks for 50 peers, compact.
/// </summary>
[MemoryDiagnoser]
public class HttpAnnounceEndpointBenchmarks
{
    private const int Announcers = 1024;
    private const int SwarmSize = 10_000;

    private readonly DefaultHttpContext _context = new();
    private readonly DiscardingBodyFeature _body = new();
    private HttpTrackerEndpoint? _endpoint;
    private string[] _queries = [];
    private IPAddress[] _addresses = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var options = new TrackerOptions { RateLimitPerSecond = 0, AccessMode = Core.Registry.AccessMode.Open };
        var store = new MemorySwarmStore(TimeProvider.System, TimeSpan.FromSeconds(options.PeerTimeoutSeconds));
        var tracker = new Tracker(store, Options.Create(options), new TrackerMetrics(new StandaloneMeterFactory(), store), NullLogger<Tracker>.Instance);
        _endpoint = new HttpTrackerEndpoint(tracker, new ClientAddressResolver([]));
        var swarm = new PrefilledSwarm(store, BenchmarkData.Hash(1), SwarmSize);

        _queries = new string[Announcers];
        _addresses = new IPAddress[Announcers];
        var stride = swarm.LeecherCount / Announcers;
        var hash = BenchmarkData.Escape(Bytes(swarm.InfoHash.CopyTo));
        for (var i = 0; i < Announcers; i++)
        {
            var peer = PrefilledSwarm.Leecher(i * stride);
            _addresses[i] = BenchmarkData.V4Peer(peer).Address.ToIPAddress();
            _queries[i] = $"?info_hash={hash}&peer_id={BenchmarkData.Escape(Bytes(BenchmarkData.PeerId(peer).CopyTo))}&port={BenchmarkData.PeerPort}"
                + $"&uploaded=0&downloaded=0&left={PrefilledSwarm.LeecherLeft}&corrupt=0&key=7A3F21C0&numwant=50&compact=1&no_peer_id=1&supportcrypto=1&redundant=0";
        }

        _context.Features.Set<IHttpResponseFeature>(new ResponseFeature());
        _context.Features.Set<IHttpResponseBodyFeature>(_body);
        _context.Request.Method = HttpMethods.Get;
        _context.Request.Path = "/announce";

        Announce();
        var reply = _body.Written;
        if (_context.Response.StatusCode != StatusCodes.Status200OK || reply.Length < 300 || !reply.StartsWith("d8:complete"u8) || reply.IndexOf("failure"u8) >= 0)
        {
            throw new InvalidOperationException($"The announce was answered with status {_context.Response.StatusCode}: {System.Text.Encoding.Latin1.GetString(reply)}");
        }
    }

    private static byte[] Bytes(SpanAction copy)
    {
        var bytes = new byte[20];
        copy(bytes);
        return bytes;
    }

    private delegate void SpanAction(Span<byte> destination);

    [Benchmark]
    public void Announce()
    {
        var i = _next;
        _next = (i + 1) & (Announcers - 1);
        _context.Connection.RemoteIpAddress = _addresses[i];
        _context.Request.QueryString = new QueryString(_queries[i]);
        _body.Reset();
        var pending = _endpoint!.HandleAsync(_context);
        if (!pending.IsCompletedSuccessfully)
        {
            pending.GetAwaiter().GetResult();
        }
    }

    /// <summary>A response whose headers hold the content length as a number, as Kestrel's do (a
    /// <see cref="HeaderDictionary"/> would format it into a new string on every request, which Kestrel does not).</summary>
    private sealed class ResponseFeature : IHttpResponseFeature
    {
        public int StatusCode { get; set; } = StatusCodes.Status200OK;

        public string? ReasonPhrase { get; set; }

        public IHeaderDictionary Headers { get; set; } = new ResponseHeaders();

        public Stream Body { get; set; } = Stream.Null;

        public bool HasStarted => false;

        public void OnStarting(Func<object, Task> callback, object state)
        {
        }

        public void OnCompleted(Func<object, Task> callback, object state)
        {
        }
    }

    [SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "Named after what it stands for.")]
    private sealed class ResponseHeaders : IHeaderDictionary
    {
        private readonly Dictionary<string, StringValues> _values = new(StringComparer.OrdinalIgnoreCase);

        public long? ContentLength { get; set; }

        public int Count => _values.Count;

        public bool IsReadOnly => false;

        public ICollection<string> Keys => _values.Keys;

        public ICollection<StringValues> Values => _values.Values;

        public StringValues this[string key]
        {
            get => _values.TryGetValue(key, out var value) ? value : StringValues.Empty;
            set => _values[key] = value;
        }

        public void Add(string key, StringValues value) => _values.Add(key, value);

        public void Add(KeyValuePair<string, StringValues> item) => _values.Add(item.Key, item.Value);

        public void Clear() => _values.Clear();

        public bool Contains(KeyValuePair<string, StringValues> item) => _values.TryGetValue(item.Key, out var value) && value == item.Value;

        public bool ContainsKey(string key) => _values.ContainsKey(key);

        public void CopyTo(KeyValuePair<string, StringValues>[] array, int arrayIndex) => ((ICollection<KeyValuePair<string, StringValues>>)_values).CopyTo(array, arrayIndex);

        public bool Remove(string key) => _values.Remove(key);

        public bool Remove(KeyValuePair<string, StringValues> item) => ((ICollection<KeyValuePair<string, StringValues>>)_values).Remove(item);

        public bool TryGetValue(string key, out StringValues value) => _values.TryGetValue(key, out value);

        public IEnumerator<KeyValuePair<string, StringValues>> GetEnumerator() => _values.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A response body that keeps the last reply in one buffer and completes every flush at once.</summary>
    private sealed class DiscardingBodyFeature : IHttpResponseBodyFeature
    {
        private readonly DiscardingWriter _writer = new();

        public Stream Stream => Stream.Null;

        public PipeWriter Writer => _writer;

        public ReadOnlySpan<byte> Written => _writer.Written;

        public void Reset() => _writer.Reset();

        public void DisableBuffering()
        {
        }

        public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task CompleteAsync() => Task.CompletedTask;
    }

    private sealed class DiscardingWriter : PipeWriter
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _length;

        public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

        public void Reset() => _length = 0;

        public override void Advance(int bytes) => _length += bytes;

        public override Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(_length);

        public override Span<byte> GetSpan(int sizeHint = 0) => _buffer.AsSpan(_length);

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => new(new FlushResult(isCanceled: false, isCompleted: false));
    }
}
