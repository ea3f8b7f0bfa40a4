namespace FediTracker.Server.Hosting;

/// <summary>The configuration has errors; <see cref="Errors"/> lists every one of them.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException()
        : this([])
    {
    }

    public ConfigurationException(string message)
        : this([message])
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public ConfigurationException(IReadOnlyList<string> errors)
        : base("The configuration is not valid:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)))
    {
        Errors = errors;
    }

    public IReadOnlyList<string> Errors { get; }
}
