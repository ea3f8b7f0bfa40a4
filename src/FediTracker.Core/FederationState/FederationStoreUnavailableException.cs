namespace FediTracker.Core.FederationState;

/// <summary>Thrown by a federation store that cannot be reached or written. The inbox answers 503, so senders retry.</summary>
public sealed class FederationStoreUnavailableException : Exception
{
    public FederationStoreUnavailableException()
    {
    }

    public FederationStoreUnavailableException(string message)
        : base(message)
    {
    }

    public FederationStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
