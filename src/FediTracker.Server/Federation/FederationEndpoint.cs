using System.Globalization;
using FediTracker.Core.Registry;
using FediTracker.Federation;
using FediTracker.Federation.Activities;
using FediTracker.Federation.Http;
using FediTracker.Federation.Inbox;
using FediTracker.Core.FederationState;
using Microsoft.AspNetCore.Http.Features;

namespace FediTracker.Server.Federation;

/// <summary>
/// The ActivityPub paths of the public port: <c>/actor</c>, <c>/.well-known/webfinger</c>, <c>/inbox</c>,
/// <c>/outbox</c> (the revocation feed, paged by cursor) and <c>/followers</c>. Everything else the tracker endpoint
/// does not handle gets 404 here.
/// </summary>
internal sealed class FederationEndpoint
{
    private readonly FederationOptions _options;
    private readonly TrackerActor _actor;
    private readonly InboxProcessor _inbox;
    private readonly ITorrentRegistry _registry;
    private readonly IFederationStore _store;
    private readonly string _scheme;
    private readonly string _authority;
    private readonly byte[] _actorDocument;
    private readonly byte[] _webFinger;

    public FederationEndpoint(FederationOptions options, TrackerActor actor, InboxProcessor inbox, ITorrentRegistry registry, IFederationStore store)
    {
        _options = options;
        _actor = actor;
        _inbox = inbox;
        _registry = registry;
        _store = store;
        var publicUrl = new Uri(options.PublicUrl);
        _scheme = publicUrl.Scheme;
        _authority = publicUrl.Authority;
        _actorDocument = actor.ActorDocument();
        _webFinger = actor.WebFinger();
    }

    public Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        var get = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
        return path switch
        {
            "/actor" when get => WriteAsync(context, _actorDocument, ActivityStreams.Negotiate(context.Request.Headers.Accept)),
            "/.well-known/webfinger" when get => WebFingerAsync(context),
            "/inbox" when HttpMethods.IsPost(context.Request.Method) => InboxAsync(context),
            "/outbox" when get => OutboxAsync(context),
            "/followers" when get => FollowersAsync(context),
            "/actor" or "/.well-known/webfinger" or "/inbox" or "/outbox" or "/followers" => Status(context, StatusCodes.Status405MethodNotAllowed),
            _ => Status(context, StatusCodes.Status404NotFound),
        };
    }

    private static Task Status(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static async Task WriteAsync(HttpContext context, byte[] body, string contentType, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private Task WebFingerAsync(HttpContext context)
    {
        var resource = context.Request.Query["resource"].ToString();
        if (resource.Length == 0)
        {
            return Status(context, StatusCodes.Status400BadRequest);
        }

        return _actor.IsWebFingerResource(resource)
            ? WriteAsync(context, _webFinger, ActivityStreams.JrdJson)
            : Status(context, StatusCodes.Status404NotFound);
    }

    private async Task InboxAsync(HttpContext context)
    {
        var max = _options.MaxInboxBodyBytes;
        if (context.Request.ContentLength > max)
        {
            await WriteResultAsync(context, _inbox.TooLarge());
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max + 1L;
        }

        byte[] body;
        try
        {
            body = await ReadBodyAsync(context.Request.Body, max, context.RequestAborted);
        }
        catch (BadHttpRequestException)
        {
            await WriteResultAsync(context, _inbox.TooLarge());
            return;
        }

        if (body.Length > max)
        {
            await WriteResultAsync(context, _inbox.TooLarge());
            return;
        }

        var headers = new HeaderCollection();
        foreach (var (name, values) in context.Request.Headers)
        {
            foreach (var value in values)
            {
                if (value is not null)
                {
                    headers.Add(name, value);
                }
            }
        }

        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target) || target[0] != '/')
        {
            target = context.Request.Path.Value + context.Request.QueryString.Value;
        }

        // The sender addressed our public URL (behind a proxy the hop may differ): RFC 9421 signs that target URI.
        var request = new IncomingRequest(context.Request.Method, _scheme, _authority, target, headers, body);
        var result = await _inbox.ProcessAsync(request, context.RequestAborted);
        await WriteResultAsync(context, result);
    }

    private static Task WriteResultAsync(HttpContext context, InboxResult result) =>
        WriteAsync(context, System.Text.Encoding.UTF8.GetBytes(result.Reason + "\n"), "text/plain; charset=utf-8", result.Status);

    private static async Task<byte[]> ReadBodyAsync(Stream stream, int max, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            buffer.Write(chunk, 0, read);
            if (buffer.Length > max)
            {
                return buffer.ToArray();
            }
        }
    }

    private async Task OutboxAsync(HttpContext context)
    {
        var contentType = ActivityStreams.Negotiate(context.Request.Headers.Accept);
        var cursor = context.Request.Query["after"].ToString();
        if (cursor.Length == 0)
        {
            await WriteAsync(context, _actor.OutboxCollection(), contentType);
            return;
        }

        if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var after))
        {
            await Status(context, StatusCodes.Status400BadRequest);
            return;
        }

        var page = await _registry.ListModerationsAsync(after, _options.OutboxPageSize, context.RequestAborted);
        var revocations = page.Items.Where(m => m.Kind == ModerationKind.Revoke).ToList();
        await WriteAsync(context, _actor.OutboxPage(after, revocations, page.Next), contentType);
    }

    private async Task FollowersAsync(HttpContext context)
    {
        var followers = await _store.ListFollowersAsync(context.RequestAborted);
        await WriteAsync(context, _actor.FollowersCollection(followers.Count), ActivityStreams.Negotiate(context.Request.Headers.Accept));
    }
}
