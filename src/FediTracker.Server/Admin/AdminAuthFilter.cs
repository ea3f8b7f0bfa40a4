using FediTracker.Core.Registry;
using FediTracker.Core.Swarms;

namespace FediTracker.Server.Admin;

/// <summary>Endpoint metadata: the least role an endpoint needs (moderator when absent).</summary>
internal sealed record RequiredRole(AdminRole Role);

/// <summary>
/// Authenticates every admin API call by its bearer token (401 with <c>WWW-Authenticate: Bearer</c>), checks the
/// endpoint's role (403), and turns storage outages into 503 ProblemDetails instead of a 500.
/// </summary>
internal sealed partial class AdminAuthFilter(AdminTokens tokens, ILogger<AdminAuthFilter> logger) : IEndpointFilter
{
    private const string PrincipalKey = "feditracker.admin.principal";

    public static AdminPrincipal Principal(HttpContext context) =>
        context.Items[PrincipalKey] as AdminPrincipal ?? throw new InvalidOperationException("The admin filter did not run.");

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        var principal = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            ? tokens.Authenticate(header.AsSpan(scheme.Length).Trim())
            : null;
        if (principal is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Problem(
                title: "Unauthorized",
                detail: header.Length == 0 ? "Send 'Authorization: Bearer <token>'." : "The bearer token is not valid.",
                statusCode: StatusCodes.Status401Unauthorized);
        }

        var required = http.GetEndpoint()?.Metadata.GetOrderedMetadata<RequiredRole>() ?? [];
        foreach (var need in required)
        {
            if (principal.Role < need.Role)
            {
                return TypedResults.Problem(
                    title: "Forbidden",
                    detail: $"This needs the {need.Role.ToString().ToLowerInvariant()} role; '{principal.Name}' is a {principal.Role.ToString().ToLowerInvariant()}.",
                    statusCode: StatusCodes.Status403Forbidden);
            }
        }

        http.Items[PrincipalKey] = principal;
        try
        {
            return await next(context);
        }
        catch (RegistryUnavailableException ex)
        {
            Log.RegistryUnavailable(logger, ex);
            return TypedResults.Problem(title: "Registry unavailable", detail: "The registry cannot be reached; nothing was changed. Try again.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (SwarmStoreUnavailableException ex)
        {
            Log.StoreUnavailable(logger, ex);
            return TypedResults.Problem(
                title: "Swarm store unavailable",
                detail: "The change is recorded and this node enforces it, but the swarm store could not be reached to purge the swarm. Repeat the same call to complete it.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Admin API call failed: the registry is unavailable")]
        public static partial void RegistryUnavailable(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Admin API call half done: the swarm store is unavailable")]
        public static partial void StoreUnavailable(ILogger logger, Exception exception);
    }
}
