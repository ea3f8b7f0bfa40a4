using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FediTracker.Protocol.Bencode;

namespace FediTracker.Server.Tests;

/// <summary>Talks to a test tracker's admin API and public port the way an operator's scripts and clients do.</summary>
internal sealed class AdminApiClient : IDisposable
{
    public const string AdminToken = "admin-token-0123456789abcdef0123456789";
    public const string ModeratorToken = "moderator-token-0123456789abcdef012345";

    /// <summary>Arguments giving a tracker one admin and one moderator token.</summary>
    public static readonly string[] TokenArgs =
    [
        "--Admin:Tokens:0:Name", "alice", "--Admin:Tokens:0:Role", "admin", "--Admin:Tokens:0:Token", AdminToken,
        "--Admin:Tokens:1:Name", "bob", "--Admin:Tokens:1:Role", "moderator", "--Admin:Tokens:1:Token", ModeratorToken,
    ];

    private readonly HttpClient _http;

    public AdminApiClient(TestTracker tracker, string? token = AdminToken)
    {
        _http = new HttpClient { BaseAddress = new Uri($"http://{tracker.Admin[0]}/api/v1/") };
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public HttpClient Http => _http;

    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string path, object body) => SendAsync(HttpMethod.Post, path, body);

    public Task<(HttpStatusCode Status, JsonNode? Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public async Task<JsonNode> RegisterAsync(byte[] v1, string? objectUri = null, string? actorUri = null, string? mediaUrl = null)
    {
        var (status, body) = await PostAsync("torrents", new { infoHashV1 = Convert.ToHexStringLower(v1), objectUri, actorUri, mediaUrl, name = "clip.mp4" });
        status.Should().Be(HttpStatusCode.Created, body?.ToJsonString());
        return body!;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>An HTTP announce to <paramref name="path"/> (e.g. <c>/announce</c>); returns the bencoded reply.</summary>
    public static async Task<BencodeDictionary> AnnounceAsync(IPEndPoint endpoint, byte[] hash, int peer, int port, long left, string path = "/announce")
    {
        using var http = new HttpClient();
        var url = $"http://{endpoint}{path}?info_hash={TestData.Escape(hash)}&peer_id={Encoding.ASCII.GetString(TestData.PeerId(peer))}&port={port}&left={left}&compact=1";
        var body = await http.GetByteArrayAsync(new Uri(url));
        BencodeSerializer.TryParse(body, out var value, out _, out _).Should().BeTrue();
        return (BencodeDictionary)value!;
    }

    public static async Task<BencodeDictionary> ScrapeAsync(IPEndPoint endpoint, byte[] hash, string path = "/scrape")
    {
        using var http = new HttpClient();
        var body = await http.GetByteArrayAsync(new Uri($"http://{endpoint}{path}?info_hash={TestData.Escape(hash)}"));
        BencodeSerializer.TryParse(body, out var value, out _, out _).Should().BeTrue();
        return (BencodeDictionary)value!;
    }

    public static string? Failure(BencodeDictionary reply) =>
        reply.TryGetValue("failure reason", out var reason) ? Encoding.UTF8.GetString(((BencodeString)reason).Span) : null;

    public static string? RetryIn(BencodeDictionary reply) =>
        reply.TryGetValue("retry in", out var value) ? Encoding.UTF8.GetString(((BencodeString)value).Span) : null;

    public static int PeerCount(BencodeDictionary reply) =>
        reply.TryGetValue("peers", out var peers) ? ((BencodeString)peers).Length / 6 : 0;

    public static JsonElement Json(JsonNode node) => JsonSerializer.SerializeToElement(node);
}
