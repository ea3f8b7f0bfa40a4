using FediTracker.Core.Registry;
using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using FediTracker.Protocol.Torrents;

namespace FediTracker.Server.Admin;

/// <summary>
/// The admin API under <c>/api/v1</c>, on the admin listener only. Every call needs a bearer token; moderators list,
/// look up, revoke and suspend; admins also register, restore and manage passkeys. Errors are ProblemDetails.
/// </summary>
internal static class AdminApi
{
    public const string Prefix = "/api/v1";
    internal const int MaxUriLength = 2048;
    private const int MaxReasonLength = 2000;
    private const string MetainfoContentType = "application/x-bittorrent";

    public static void Map(WebApplication app)
    {
        var api = app.MapGroup(Prefix).AddEndpointFilter<AdminAuthFilter>();

        var torrents = api.MapGroup("/torrents").WithTags("Torrents");
        torrents.MapPost("/", RegisterAsync).RequireRole(AdminRole.Admin)
            .WithSummary("Register a torrent by its hashes and links").Produces<TorrentDto>(StatusCodes.Status201Created).Produces<TorrentDto>().ProducesProblem(StatusCodes.Status409Conflict).ProducesValidationProblem();
        torrents.MapPost("/file", UploadAsync).RequireRole(AdminRole.Admin)
            .Accepts<byte[]>(MetainfoContentType)
            .WithSummary("Register a torrent by uploading its .torrent file (v1 hash over the raw info bytes, v2 hash when it has meta version 2); links as query parameters")
            .Produces<TorrentDto>(StatusCodes.Status201Created).Produces<TorrentDto>().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesValidationProblem();
        MakeTorrentApi.Map(torrents);
        UploadMakeApi.Map(torrents);
        torrents.MapGet("/", ListAsync)
            .WithSummary("List torrents (filter by object, actor, media URL, status; paged by id)").Produces<PageDto<TorrentDto>>().ProducesValidationProblem();
        torrents.MapGet("/{infoHash}", GetAsync)
            .WithSummary("Look up a torrent by either of its info-hashes, with live swarm counts").Produces<TorrentDto>().ProducesProblem(StatusCodes.Status404NotFound);

        var moderation = api.MapGroup("/").WithTags("Moderation");
        moderation.MapPost("/revocations", (ModerationRequestDto body, HttpContext context, ModerationService service, CancellationToken ct) => ModerateAsync(ModerationKind.Revoke, body, context, service, ct))
            .WithSummary("Revoke for good: by infoHash, objectUri or actorUri").Produces<ModerationResultDto>(StatusCodes.Status201Created).Produces<ModerationResultDto>().ProducesValidationProblem();
        moderation.MapPost("/suspensions", (ModerationRequestDto body, HttpContext context, ModerationService service, CancellationToken ct) => ModerateAsync(ModerationKind.Suspend, body, context, service, ct))
            .WithSummary("Suspend until restored: by infoHash, objectUri or actorUri").Produces<ModerationResultDto>(StatusCodes.Status201Created).Produces<ModerationResultDto>().ProducesValidationProblem();
        moderation.MapPost("/restorations", (ModerationRequestDto body, HttpContext context, ModerationService service, CancellationToken ct) => ModerateAsync(ModerationKind.Restore, body, context, service, ct))
            .RequireRole(AdminRole.Admin)
            .WithSummary("Undo a revocation or suspension of the same target (admins only)").Produces<ModerationResultDto>(StatusCodes.Status201Created).Produces<ModerationResultDto>().ProducesValidationProblem();
        moderation.MapGet("/revocations", ListModerationsAsync)
            .WithSummary("Every revocation, suspension and restoration, oldest first, paged by id").Produces<PageDto<ModerationDto>>();
        moderation.MapGet("/audit", ReadAuditAsync)
            .WithSummary("The append-only audit log, oldest first, paged by id").Produces<PageDto<AuditDto>>();

        var passkeys = api.MapGroup("/passkeys").WithTags("Passkeys").RequireRole(AdminRole.Admin);
        passkeys.MapPost("/", CreatePasskeyAsync).WithSummary("Create a passkey for private mode (shown once)").Produces<CreatedPasskeyDto>(StatusCodes.Status201Created).ProducesValidationProblem();
        passkeys.MapGet("/", ListPasskeysAsync).WithSummary("List live passkeys").Produces<IReadOnlyList<PasskeyDto>>();
        passkeys.MapDelete("/{id:long}", DeletePasskeyAsync).WithSummary("Delete a passkey").Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static TBuilder RequireRole<TBuilder>(this TBuilder builder, AdminRole role)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new RequiredRole(role));

    private static async Task<IResult> RegisterAsync(RegisterTorrentDto body, HttpContext context, ModerationService service, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        InfoHash? v1 = null, v2 = null;
        if (body.InfoHashV1 is not null)
        {
            if (AdminText.TryHash(body.InfoHashV1, out var h))
            {
                v1 = h;
            }
            else
            {
                errors["infoHashV1"] = ["must be 40 hex digits"];
            }
        }

        if (body.InfoHashV2 is not null)
        {
            if (AdminText.TryHash(body.InfoHashV2, out var h))
            {
                v2 = h;
            }
            else
            {
                errors["infoHashV2"] = ["must be 40 hex digits: the v2 info-hash truncated to 20 bytes"];
            }
        }

        if (body.InfoHashV1 is null && body.InfoHashV2 is null)
        {
            errors["infoHashV1"] = ["give infoHashV1, infoHashV2 or both"];
        }
        else if (v1 is not null && v1 == v2)
        {
            errors["infoHashV2"] = ["must differ from infoHashV1"];
        }

        CheckUri(body.ObjectUri, "objectUri", errors);
        CheckUri(body.MediaUrl, "mediaUrl", errors);
        CheckUri(body.ActorUri, "actorUri", errors);
        if (body.Name is { Length: > 1024 })
        {
            errors["name"] = ["must be at most 1024 characters"];
        }

        if (body.Length is < 0)
        {
            errors["length"] = ["must not be negative"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var registration = new TorrentRegistration
        {
            V1 = v1,
            V2 = v2,
            Name = body.Name,
            ObjectUri = body.ObjectUri,
            MediaUrl = body.MediaUrl,
            ActorUri = body.ActorUri,
            Length = body.Length,
        };
        return await CompleteRegistrationAsync(registration, context, service, ct);
    }

    private static async Task<IResult> UploadAsync(HttpContext context, ModerationService service, string? objectUri, string? mediaUrl, string? actorUri, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        CheckUri(objectUri, "objectUri", errors);
        CheckUri(mediaUrl, "mediaUrl", errors);
        CheckUri(actorUri, "actorUri", errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var limit = TorrentMetainfo.DefaultMaxBytes;
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit + 1;
        }

        if (context.Request.ContentLength > limit)
        {
            return TooLarge(limit);
        }

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, ct);
            if (buffer.Length > limit)
            {
                return TooLarge(limit);
            }

            body = buffer.ToArray();
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limit);
        }

        if (!TorrentMetainfo.TryParse(body, out var torrent, out var error, limit))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = [error] });
        }

        var registration = new TorrentRegistration
        {
            V1 = torrent.InfoHashV1,
            V2 = torrent.InfoHashV2,
            Name = torrent.Name,
            Length = torrent.TotalLength,
            ObjectUri = objectUri,
            MediaUrl = mediaUrl,
            ActorUri = actorUri,
            Metainfo = body,
        };
        return await CompleteRegistrationAsync(registration, context, service, ct);

        static IResult TooLarge(int limit) => TypedResults.Problem(
            title: "Too large",
            detail: $"A .torrent file may be at most {limit} bytes.",
            statusCode: StatusCodes.Status413PayloadTooLarge);
    }

    /// <summary>Registers and answers 201, 200 (already there) or 409 (blocked or in conflict).</summary>
    internal static async Task<IResult> CompleteRegistrationAsync(TorrentRegistration registration, HttpContext context, ModerationService service, CancellationToken ct)
    {
        var result = await service.RegisterAsync(registration, AdminAuthFilter.Principal(context).Name, ModerationSource.Admin, ct);
        return result.Outcome switch
        {
            RegisterOutcome.Created => TypedResults.Created($"{Prefix}/torrents/{result.Torrent!.Hashes[0]}", TorrentDto.From(result.Torrent)),
            RegisterOutcome.AlreadyRegistered => TypedResults.Ok(TorrentDto.From(result.Torrent!)),
            RegisterOutcome.Blocked => TypedResults.Problem(
                title: "Blocked",
                detail: result.Detail ?? "A hash, the object or the actor is revoked or suspended; only an admin's restore allows it again.",
                statusCode: StatusCodes.Status409Conflict),
            _ => TypedResults.Problem(
                title: "Conflict",
                detail: result.Detail ?? $"A hash is registered already, to torrent {result.Torrent?.Id} with other links.",
                statusCode: StatusCodes.Status409Conflict),
        };
    }

    private static async Task<IResult> ListAsync(
        ITorrentRegistry registry,
        ISwarmStore store,
        string? objectUri,
        string? actorUri,
        string? mediaUrl,
        string? status,
        long? after,
        int? limit,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var state = AdminText.ParseStatus(status);
        if (status is not null && state is null)
        {
            errors["status"] = ["must be active, suspended or revoked"];
        }

        CheckPaging(after, limit, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var page = await registry.ListAsync(
            new TorrentQuery { ObjectUri = objectUri, ActorUri = actorUri, MediaUrl = mediaUrl, Status = state, After = after ?? 0, Limit = limit ?? 100 },
            ct);
        var swarms = await CountAsync(store, page.Items, ct);
        return TypedResults.Ok(new PageDto<TorrentDto>([.. page.Items.Select(t => TorrentDto.From(t, swarms?[t.Id]))], page.Next));
    }

    private static async Task<IResult> GetAsync(string infoHash, ITorrentRegistry registry, ISwarmStore store, CancellationToken ct)
    {
        if (!AdminText.TryHash(infoHash, out var hash))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["infoHash"] = ["must be 40 hex digits"] });
        }

        var record = await registry.FindAsync(hash, ct);
        if (record is null)
        {
            return TypedResults.Problem(title: "Not found", detail: $"No torrent carries {hash}.", statusCode: StatusCodes.Status404NotFound);
        }

        var swarms = await CountAsync(store, [record], ct);
        return TypedResults.Ok(TorrentDto.From(record, swarms?[record.Id]));
    }

    // Live counts of every hash of the torrents, in one store call; null when the store is down (the records are
    // still worth showing).
    private static async Task<Dictionary<long, IReadOnlyList<SwarmDto>>?> CountAsync(ISwarmStore store, IReadOnlyList<TorrentRecord> torrents, CancellationToken ct)
    {
        var hashes = torrents.SelectMany(t => t.Hashes).ToArray();
        var counts = new ScrapeEntry[hashes.Length];
        try
        {
            await store.ScrapeAsync(hashes, counts, ct);
        }
        catch (SwarmStoreUnavailableException)
        {
            return null;
        }

        var result = new Dictionary<long, IReadOnlyList<SwarmDto>>(torrents.Count);
        var i = 0;
        foreach (var torrent in torrents)
        {
            var swarms = new List<SwarmDto>(torrent.Hashes.Count);
            foreach (var hash in torrent.Hashes)
            {
                swarms.Add(new SwarmDto(hash.ToString(), counts[i].Complete, counts[i].Incomplete, counts[i].Downloaded));
                i++;
            }

            result[torrent.Id] = swarms;
        }

        return result;
    }

    private static async Task<IResult> ModerateAsync(ModerationKind kind, ModerationRequestDto body, HttpContext context, ModerationService service, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var targets = (body.InfoHash is null ? 0 : 1) + (body.ObjectUri is null ? 0 : 1) + (body.ActorUri is null ? 0 : 1);
        if (targets != 1)
        {
            errors["target"] = ["give exactly one of infoHash, objectUri and actorUri"];
        }

        ModerationTarget target = default;
        if (body.InfoHash is not null)
        {
            if (AdminText.TryHash(body.InfoHash, out var hash))
            {
                target = ModerationTarget.ForHash(hash);
            }
            else
            {
                errors["infoHash"] = ["must be 40 hex digits"];
            }
        }
        else if (body.ObjectUri is not null)
        {
            CheckUri(body.ObjectUri, "objectUri", errors);
            target = ModerationTarget.ForObject(body.ObjectUri);
        }
        else if (body.ActorUri is not null)
        {
            CheckUri(body.ActorUri, "actorUri", errors);
            target = ModerationTarget.ForActor(body.ActorUri);
        }

        if (string.IsNullOrWhiteSpace(body.Reason))
        {
            errors["reason"] = ["a reason is required; it is kept in the audit log"];
        }
        else if (body.Reason.Length > MaxReasonLength)
        {
            errors["reason"] = [$"must be at most {MaxReasonLength} characters"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var principal = AdminAuthFilter.Principal(context);
        var result = await service.ModerateAsync(new ModerationRequest(kind, target, body.Reason!, ModerationSource.Admin, principal.Name), ct);
        var dto = ModerationResultDto.From(result);
        return result.Changed && result.Record is not null
            ? TypedResults.Created($"{Prefix}/revocations?after={result.Record.Id - 1}&limit=1", dto)
            : TypedResults.Ok(dto);
    }

    private static async Task<IResult> ListModerationsAsync(ITorrentRegistry registry, long? after, int? limit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        CheckPaging(after, limit, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var page = await registry.ListModerationsAsync(after ?? 0, limit ?? 100, ct);
        return TypedResults.Ok(new PageDto<ModerationDto>([.. page.Items.Select(ModerationDto.From)], page.Next));
    }

    private static async Task<IResult> ReadAuditAsync(ITorrentRegistry registry, long? after, int? limit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        CheckPaging(after, limit, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var page = await registry.ReadAuditAsync(after ?? 0, limit ?? 100, ct);
        return TypedResults.Ok(new PageDto<AuditDto>([.. page.Items.Select(AuditDto.From)], page.Next));
    }

    private static async Task<IResult> CreatePasskeyAsync(CreatePasskeyDto body, HttpContext context, ModerationService service, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Label) || body.Label.Length > 200)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["label"] = ["a label of 1 to 200 characters is required (whom the passkey is for)"] });
        }

        var created = await service.CreatePasskeyAsync(body.Label, AdminAuthFilter.Principal(context).Name, ct);
        var dto = new CreatedPasskeyDto(created.Record.Id, created.Record.Label, created.Passkey, "/announce/" + created.Passkey, created.Record.CreatedAt);
        return TypedResults.Created($"{Prefix}/passkeys/{created.Record.Id}", dto);
    }

    private static async Task<IResult> ListPasskeysAsync(ITorrentRegistry registry, CancellationToken ct) =>
        TypedResults.Ok((await registry.ListPasskeysAsync(ct)).Select(PasskeyDto.From).ToList());

    private static async Task<IResult> DeletePasskeyAsync(long id, HttpContext context, ModerationService service, CancellationToken ct) =>
        await service.DeletePasskeyAsync(id, AdminAuthFilter.Principal(context).Name, ct)
            ? TypedResults.NoContent()
            : TypedResults.Problem(title: "Not found", detail: $"No live passkey {id}.", statusCode: StatusCodes.Status404NotFound);

    internal static void CheckUri(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is not null && !IsHttpUri(value, out _))
        {
            errors[field] = [$"must be an absolute http(s) URI of at most {MaxUriLength} characters"];
        }
    }

    internal static bool IsHttpUri(string value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? uri) =>
        Uri.TryCreate(value, UriKind.Absolute, out uri)
        && value.Length <= MaxUriLength
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private static void CheckPaging(long? after, int? limit, Dictionary<string, string[]> errors)
    {
        if (after is < 0)
        {
            errors["after"] = ["must not be negative"];
        }

        if (limit is < 1 or > 500)
        {
            errors["limit"] = ["must be 1 to 500"];
        }
    }
}
