using System.Globalization;
using Relayguard.Fuzz;

// Usage: dotnet Relayguard.Fuzz.dll [--sessions N] [--seed S] [--concurrency C]
// Starts relayguard run on loopback, drives N seeded sessions against it, prints the figures, and exits 1 on any violation.
var options = new FuzzOptions();
for (var i = 0; i + 1 < args.Length; i += 2)
{
    var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    options = args[i] switch
    {
        "--sessions" => options with { Sessions = value },
        "--seed" => options with { Seed = value },
        "--concurrency" => options with { Concurrency = value },
        _ => throw new ArgumentException($"Unknown option {args[i]}: use --sessions N, --seed S or --concurrency C."),
    };
}

var report = await FuzzRunner.RunAsync(options, Console.Out);
Console.WriteLine(report);
return report.Passed ? 0 : 1;
