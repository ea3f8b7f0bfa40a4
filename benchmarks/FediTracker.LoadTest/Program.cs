using System.Globalization;
using FediTracker.LoadTest;

var errors = new List<string>();
var options = LoadOptions.Parse(args, errors);
if (options is null)
{
    foreach (var error in errors)
    {
        Console.Error.WriteLine(error);
    }

    Console.Error.WriteLine("Run with --help for the options.");
    return 2;
}

switch (options.Command)
{
    case "help":
        Console.WriteLine(LoadOptions.Usage);
        return 0;
    case "hashes":
        Workload.WriteHashes(options.Out!, options.Seed, options.Torrents);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {options.Torrents} info-hashes to {options.Out}"));
        return 0;
    case "wrk-paths":
        WrkPaths.Write(options, options.Out!);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {options.Count} request paths to {options.Out}"));
        return 0;
    case "summarize":
        return Summary.Run(options.SummarizeFile!, Console.Out);
    case "free-port":
        Console.WriteLine(FreePort.Find().ToString(CultureInfo.InvariantCulture));
        return 0;
    case "induce-gc":
        var failure = await DiagnosticsIpc.InduceGcAsync(options.Pid);
        Console.WriteLine(failure ?? string.Create(CultureInfo.InvariantCulture, $"Induced a full GC in process {options.Pid}"));
        return failure is null ? 0 : 1;
    case "store-memory":
        return StoreMemory.Run(options, Console.Out);
    case "fill":
        return await MemoryFill.RunAsync(options, Console.Out);
    default:
        var stats = LoadRunner.Run(options, Console.Out);
        Report.Print(options, stats, Console.Out, options.Test, options.Round);
        return stats.Announces + stats.Scrapes > 0 ? 0 : 1;
}
