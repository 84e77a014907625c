using System.Globalization;

namespace Relayguard.Benchmarks;

/// <summary>Nearest-rank percentiles of a set of samples.</summary>
public static class Percentiles
{
    public static double Of(double[] sorted, double percentile)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    /// <summary>Formats p50, p90, p99, p99.9 and max of the samples, in the unit they are in.</summary>
    public static string Summary(double[] samples, string unit, string format = "0.000")
    {
        var sorted = samples.Order().ToArray();
        string F(double value) => value.ToString(format, CultureInfo.InvariantCulture);
        return $"n={sorted.Length} p50={F(Of(sorted, 50))}{unit} p90={F(Of(sorted, 90))}{unit} p99={F(Of(sorted, 99))}{unit} p99.9={F(Of(sorted, 99.9))}{unit} max={F(sorted[^1])}{unit}";
    }
}
