namespace FediTracker.Core.Swarms;

/// <summary>The swarm store could not be reached or did not answer in time.</summary>
public sealed class SwarmStoreUnavailableException : Exception
{
    public SwarmStoreUnavailableException()
    {
    }

    public SwarmStoreUnavailableException(string message)
        : base(message)
    {
    }

    public SwarmStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
