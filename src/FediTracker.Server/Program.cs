using FediTracker.Server.Cli;
using FediTracker.Server.Hosting;

if (args.Length > 0 && args[0] == MakeTorrentCommand.Verb)
{
    return await MakeTorrentCommand.RunAsync(args[1..], Console.Out, Console.Error, CancellationToken.None);
}

try
{
    var app = TrackerHost.Build(args);
    await app.RunAsync();
    return 0;
}
catch (ConfigurationException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
{
    // Most often a port already in use: say so plainly, without a stack trace.
    await Console.Error.WriteLineAsync($"FediTracker could not start: {ex.Message}");
    return 1;
}
