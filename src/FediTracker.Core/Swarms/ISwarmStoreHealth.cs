namespace FediTracker.Core.Swarms;

/// <summary>A swarm store that lives outside the process and can be unreachable; <c>/health</c> asks it.</summary>
public interface ISwarmStoreHealth
{
    /// <summary>True when the store answers within its timeout. Never throws.</summary>
    Task<bool> IsHealthyAsync();
}
