namespace FediTracker.Protocol.Udp;

/// <summary>A connect request whose protocol magic has been checked.</summary>
public readonly record struct UdpConnectRequest(int TransactionId);
