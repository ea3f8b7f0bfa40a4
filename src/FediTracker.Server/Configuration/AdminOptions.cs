namespace FediTracker.Server.Configuration;

/// <summary>Who may use the admin API. Section <c>Admin</c>.</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>Bearer tokens, each with a name (written to the audit log) and a role.</summary>
    public List<AdminTokenOptions> Tokens { get; set; } = [];
}

/// <summary>One admin API token. Give <see cref="Sha256"/> (preferred) or <see cref="Token"/>, not both.</summary>
public sealed class AdminTokenOptions
{
    /// <summary>Who holds the token; appears in the audit log as "by".</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary><c>admin</c> (everything) or <c>moderator</c> (list, look up, revoke, suspend).</summary>
    public string Role { get; set; } = "moderator";

    /// <summary>The SHA-256 of the token, 64 hex digits (<c>printf %s "$TOKEN" | sha256sum</c>).</summary>
    public string Sha256 { get; set; } = string.Empty;

    /// <summary>The token itself, hashed at start and not kept; for development. At least 32 characters.</summary>
    public string Token { get; set; } = string.Empty;
}

/// <summary>Where the registry lives in the single-node shape. Section <c>Registry</c>.</summary>
public sealed class RegistryOptions
{
    public const string SectionName = "Registry";

    /// <summary>The SQLite file (created if missing; WAL files sit beside it). Default <c>feditracker.db</c> in the
    /// working directory. With <c>Store:Kind = redis</c> the registry lives in that Redis instead.</summary>
    public string Path { get; set; } = "feditracker.db";

    /// <summary>
    /// Cluster shape only: a separate Redis for the registry (a StackExchange.Redis configuration string). Empty (the
    /// default) keeps it in <c>Store:Redis</c> beside the swarms. Give it its own instance when the swarm Redis runs
    /// with <c>appendfsync everysec</c> (or no persistence): the registry's writes are few and want
    /// <c>appendfsync always</c>, the swarms' are many and do not.
    /// </summary>
    public string Redis { get; set; } = string.Empty;
}
