using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using FediTracker.Federation.Http;
using FediTracker.Federation.Keys;
using FediTracker.Federation.Signatures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FediTracker.Server.Tests.Federation;

/// <summary>
/// A fediverse instance on 127.0.0.1 (Kestrel, port chosen by the system): it serves actor documents with their keys
/// under <c>/users/&lt;name&gt;</c>, keeps what is posted to its <c>/inbox</c>, and signs what its actors send with
/// <see cref="RequestSigner"/>, as Mastodon does (draft-cavage, rsa-sha256). It also serves its media, as an instance
/// does from its own origin: <c>/media/&lt;name&gt;</c> with a Content-Length, <c>/chunked/&lt;name&gt;</c> without one,
/// <c>/stalled/&lt;name&gt;</c> with a Content-Length and no body ever, and <c>/gated/&lt;name&gt;</c>, held until the test
/// opens the gate; it counts requests per path.
/// </summary>
internal sealed class FakeInstance : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ActorKeyPair> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _suspended = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<IncomingRequest> _inbox = new();
    private readonly MediaFiles _media = new("video/mp4");

    private FakeInstance(WebApplication app)
    {
        _app = app;
    }

    /// <summary><c>http://127.0.0.1:port</c>, no trailing slash.</summary>
    public string Origin { get; private set; } = string.Empty;

    /// <summary><c>127.0.0.1:port</c>, as a trust list names it.</summary>
    public string Domain => new Uri(Origin).Authority;

    public IReadOnlyCollection<IncomingRequest> Received => _inbox.ToArray();

    public static async Task<FakeInstance> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var instance = new FakeInstance(app);
        instance._media.Map(app);
        app.MapGet("/users/{name}", (string name) => instance.ActorDocument(name));
        app.MapGet("/stalled/{name}", async (string name, HttpContext context) =>
        {
            if (!instance._media.TryGet(name, out var bytes))
            {
                context.Response.StatusCode = 404;
                return;
            }

            // Headers only: a client that reads the body waits until it gives up.
            context.Response.ContentType = "video/mp4";
            context.Response.ContentLength = bytes.Length;
            await context.Response.StartAsync(context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                context.Abort();
            }
        });
        app.MapPost("/inbox", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var headers = new HeaderCollection();
            foreach (var (key, values) in context.Request.Headers)
            {
                foreach (var value in values)
                {
                    headers.Add(key, value!);
                }
            }

            var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
            instance._inbox.Enqueue(new IncomingRequest("POST", "http", context.Request.Host.Value!, target, headers, buffer.ToArray()));
            return Results.Accepted();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        instance.Origin = address.TrimEnd('/');
        return instance;
    }

    public string Actor(string name) => Origin + "/users/" + name;

    public string Status(string name, int n) => Actor(name) + "/statuses/" + n;

    public void SetSuspended(string name, bool suspended) => _suspended[name] = suspended;

    /// <summary>Adds a media file of random bytes, served under /media/, /chunked/ and /gated/; returns its bytes.</summary>
    public byte[] AddMedia(string name, int length) => _media.Add(name, length);

    /// <summary>An absolute URL on this instance, e.g. <c>MediaUrl("/media/a.mp4")</c>.</summary>
    public string MediaUrl(string path) => Origin + path;

    /// <summary>Requests this instance has answered for <paramref name="path"/>.</summary>
    public int Hits(string path) => _media.Hits(path);

    /// <summary>Completes when a request reaches <c>/gated/…</c>.</summary>
    public Task GateReached => _media.GateReached;

    public void OpenGate() => _media.OpenGate();

    /// <summary>
    /// A public status with attachments, wrapped in a <c>Create</c> as Mastodon sends it to a relay: attachments are
    /// <c>Document</c>s with <c>mediaType</c> and a <c>url</c> string, and no size.
    /// </summary>
    public JsonObject CreateNote(string name, string statusUri, params (string Url, string MediaType)[] attachments)
    {
        var documents = new JsonArray();
        foreach (var (url, mediaType) in attachments)
        {
            documents.Add(new JsonObject { ["type"] = "Document", ["mediaType"] = mediaType, ["url"] = url, ["name"] = "a description for people", ["blurhash"] = "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH" });
        }

        return new JsonObject
        {
            ["@context"] = "https://www.w3.org/ns/activitystreams",
            ["id"] = statusUri + "/activity",
            ["type"] = "Create",
            ["actor"] = Actor(name),
            ["to"] = new JsonArray("https://www.w3.org/ns/activitystreams#Public"),
            ["cc"] = new JsonArray(Actor(name) + "/followers"),
            ["object"] = new JsonObject
            {
                ["id"] = statusUri,
                ["type"] = "Note",
                ["attributedTo"] = Actor(name),
                ["content"] = "<p>a post</p>",
                ["to"] = new JsonArray("https://www.w3.org/ns/activitystreams#Public"),
                ["cc"] = new JsonArray(Actor(name) + "/followers"),
                ["attachment"] = documents,
            },
        };
    }

    /// <summary>
    /// A public video in a <c>Create</c>, shaped as PeerTube sends it: its files are <c>url</c> links with
    /// <c>mediaType</c>, <c>href</c> and a stated <c>size</c>, beside its HTML page and torrent links.
    /// </summary>
    public JsonObject CreateVideo(string name, string videoUri, params (string Url, long Size)[] files)
    {
        var links = new JsonArray { new JsonObject { ["type"] = "Link", ["mediaType"] = "text/html", ["href"] = videoUri } };
        foreach (var (url, size) in files)
        {
            links.Add(new JsonObject { ["type"] = "Link", ["mediaType"] = "video/mp4", ["href"] = url, ["height"] = 720, ["size"] = size, ["fps"] = 30 });
            links.Add(new JsonObject { ["type"] = "Link", ["mediaType"] = "application/x-bittorrent", ["href"] = url + ".torrent", ["height"] = 720 });
        }

        return new JsonObject
        {
            ["@context"] = "https://www.w3.org/ns/activitystreams",
            ["id"] = videoUri + "/activity/" + Guid.NewGuid().ToString("N"),
            ["type"] = "Create",
            ["actor"] = Actor(name),
            ["to"] = new JsonArray("https://www.w3.org/ns/activitystreams#Public"),
            ["object"] = new JsonObject
            {
                ["id"] = videoUri,
                ["type"] = "Video",
                ["name"] = "a video",
                ["attributedTo"] = new JsonArray(new JsonObject { ["type"] = "Person", ["id"] = Actor(name) }, new JsonObject { ["type"] = "Group", ["id"] = Actor(name + "_channel") }),
                ["to"] = new JsonArray("https://www.w3.org/ns/activitystreams#Public"),
                ["url"] = links,
            },
        };
    }

    private ActorKeyPair Key(string name) => _keys.GetOrAdd(name, _ => ActorKeyPair.Generate());

    private IResult ActorDocument(string name)
    {
        var id = Actor(name);
        var document = new JsonObject
        {
            ["@context"] = new JsonArray("https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"),
            ["id"] = id,
            ["type"] = "Person",
            ["preferredUsername"] = name,
            ["inbox"] = id + "/inbox",
            ["endpoints"] = new JsonObject { ["sharedInbox"] = Origin + "/inbox" },
            ["publicKey"] = new JsonObject { ["id"] = id + "#main-key", ["owner"] = id, ["publicKeyPem"] = Key(name).PublicKeyPem },
        };
        if (_suspended.TryGetValue(name, out var suspended) && suspended)
        {
            document["suspended"] = true;
        }

        return Results.Text(document.ToJsonString(), "application/activity+json");
    }

    /// <summary>POSTs <paramref name="activity"/> to <paramref name="inbox"/>, signed by <paramref name="signer"/>'s key (or another's).</summary>
    public async Task<(HttpStatusCode Status, string Reason)> SendAsync(string inbox, string signer, JsonObject activity, ActorKeyPair? key = null, bool sign = true, SignatureScheme scheme = SignatureScheme.DraftCavage)
    {
        var body = Encoding.UTF8.GetBytes(activity.ToJsonString());
        return await SendRawAsync(inbox, signer, body, key, sign, scheme);
    }

    public async Task<(HttpStatusCode Status, string Reason)> SendRawAsync(string inbox, string signer, byte[] body, ActorKeyPair? key = null, bool sign = true, SignatureScheme scheme = SignatureScheme.DraftCavage)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, inbox) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/activity+json");
        if (sign)
        {
            new RequestSigner(TimeProvider.System).Sign(request, body, Actor(signer) + "#main-key", key ?? Key(signer), scheme);
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, (await response.Content.ReadAsStringAsync()).Trim());
    }

    public JsonObject Follow(string name, string followed = "https://www.w3.org/ns/activitystreams#Public") => new()
    {
        ["@context"] = "https://www.w3.org/ns/activitystreams",
        ["id"] = Origin + "/" + Guid.NewGuid().ToString("N"),
        ["type"] = "Follow",
        ["actor"] = Actor(name),
        ["object"] = followed,
    };

    /// <summary>A status delete as Mastodon serializes it: the object a Tombstone, the id the status's with #delete.</summary>
    public JsonObject DeleteStatus(string name, string statusUri) => new()
    {
        ["@context"] = "https://www.w3.org/ns/activitystreams",
        ["id"] = statusUri + "#delete",
        ["type"] = "Delete",
        ["actor"] = Actor(name),
        ["to"] = new JsonArray("https://www.w3.org/ns/activitystreams#Public"),
        ["object"] = new JsonObject { ["id"] = statusUri, ["type"] = "Tombstone", ["atomUri"] = statusUri },
    };

    /// <summary>An account delete: the object is the actor itself.</summary>
    public JsonObject DeleteActor(string name) => new()
    {
        ["@context"] = "https://www.w3.org/ns/activitystreams",
        ["id"] = Actor(name) + "#delete",
        ["type"] = "Delete",
        ["actor"] = Actor(name),
        ["to"] = new JsonArray("https://www.w3.org/ns/activitystreams#Public"),
        ["object"] = Actor(name),
    };

    public JsonObject UpdateActor(string name, bool suspended) => new()
    {
        ["@context"] = "https://www.w3.org/ns/activitystreams",
        ["id"] = Actor(name) + "#updates/" + Guid.NewGuid().ToString("N"),
        ["type"] = "Update",
        ["actor"] = Actor(name),
        ["object"] = new JsonObject { ["id"] = Actor(name), ["type"] = "Person", ["suspended"] = suspended },
    };

    public async ValueTask DisposeAsync()
    {
        _media.OpenGate();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>A TCP port free on loopback now (for a tracker whose public URL must be known before it starts).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Waits for <paramref name="probe"/> to give a value, polling, failing after <paramref name="seconds"/>.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, int seconds = 15)
        where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {seconds} s waiting for {what}.");
            }

            await Task.Delay(25);
        }
    }
}
