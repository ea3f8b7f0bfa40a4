namespace FediTracker.Storage.Redis.Tests.Infrastructure;

/// <summary>Finds the Redis programs the tests run, and fails (never skips) when they are missing.</summary>
public static class RedisTools
{
    private const string Advice = "install the Debian packages redis-server and redis-tools (apt-get install redis-server redis-tools)";

    public static string Server => Find("redis-server");

    public static string Cli => Find("redis-cli");

    private static string Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"'{name}' was not found on PATH: {Advice}.");
        throw new InvalidOperationException("unreachable");
    }
}
