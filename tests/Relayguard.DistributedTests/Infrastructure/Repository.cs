namespace Relayguard.DistributedTests.Infrastructure;

/// <summary>Finds the repository and the build output of the service hosts, in the configuration this test assembly was built in.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary><c>Release</c> or <c>Debug</c>, taken from this assembly's output path.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar).Contains("Release") ? "Release" : "Debug";

    /// <summary>The path of a host's main assembly, for example <c>HostDll("Relayguard.Gateway.Host", "relayguard-gateway")</c>.</summary>
    public static string HostDll(string project, string assembly)
    {
        var path = Path.Combine(Root, "services", project, "bin", Configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is missing: build the solution first (dotnet build Platform.sln -c {Configuration}).", path);
        }

        return path;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Platform.sln not found above {AppContext.BaseDirectory}.");
    }
}
