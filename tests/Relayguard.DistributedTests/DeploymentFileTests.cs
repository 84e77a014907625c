using System.Diagnostics;
using Relayguard.DistributedTests.Infrastructure;
using Relayguard.ServiceDefaults;
using YamlDotNet.RepresentationModel;

namespace Relayguard.DistributedTests;

/// <summary>
/// docker-compose.yml, the Kubernetes manifests and the systemd units, checked against the services as they are:
/// host projects, assembly names, configuration sections, queue names, and the health endpoints a running process serves.
/// </summary>
[Collection(DistributedCollection.Name)]
public sealed class DeploymentFileTests(BrokerFixture fixture)
{
    /// <summary>Each service: its host project, its assembly, and the setting that names its HTTP listener.</summary>
    private static readonly (string Name, string Project, string Assembly, string ListenKey)[] Services =
    [
        ("gateway", "Relayguard.Gateway.Host", "relayguard-gateway", "Http:Listen"),
        ("ca1", "Relayguard.Detectors.Ca1.Host", "relayguard-ca1", "Http:Listen"),
        ("ca2", "Relayguard.Detectors.Ca2.Host", "relayguard-ca2", "Http:Listen"),
        ("bo1", "Relayguard.Detectors.Bo1.Host", "relayguard-bo1", "Http:Listen"),
        ("rl1", "Relayguard.Detectors.Rl1.Host", "relayguard-rl1", "Http:Listen"),
        ("operations", "Relayguard.Operations.Host", "relayguard-operations", "Operations:Listen"),
    ];

    private static readonly string[] KnownSections = ["Bus", "Store", "Data", "Http", "Operations", "Smtp", "Relay", "Rspamd", "Help", "Tls", "Gateway", "Rules", "Limits", "Dsn", "Logging"];

    private static readonly string[] SecretKeys = ["rabbitmq-uri", "mongodb-uri", "recipient-hash-key"];

    private static string KubernetesFolder => Path.Combine(Repository.Root, "deploy", "kubernetes");

    [Fact]
    public async Task Compose_ConfigIsValid()
    {
        const string compose = "/usr/bin/docker-compose";
        Assert.True(File.Exists(compose), "Debian's docker-compose is missing: run scripts/test-env/up.sh, or apt-get install -y --no-install-recommends docker-compose.");
        var start = new ProcessStartInfo(compose) { WorkingDirectory = Repository.Root, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-f", "docker-compose.yml", "config", "-q" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, $"docker-compose config failed: {await errors}");
    }

    [Fact]
    public void Compose_BuildsEveryService()
    {
        var compose = Yaml.Documents(Path.Combine(Repository.Root, "docker-compose.yml")).Single();
        foreach (var (name, project, assembly, _) in Services)
        {
            var dockerfile = Yaml.Text(compose, "services", name, "build", "dockerfile");
            Assert.Equal($"services/{project}/Dockerfile", dockerfile);
            Assert.Contains($"\"{assembly}.dll\"", File.ReadAllText(Path.Combine(Repository.Root, dockerfile!)), StringComparison.Ordinal);
            Assert.Equal($"relayguard/{name}:dev", Yaml.Text(compose, "services", name, "image"));
        }

        foreach (var infrastructure in new[] { "rabbitmq", "mongodb", "rspamd", "postfix", "otel-collector", "jaeger", "prometheus" })
        {
            Assert.NotNull(Yaml.At(compose, "services", infrastructure));
        }
    }

    [Fact]
    public void Kubernetes_WorkloadsMatchServices()
    {
        var workloads = Workloads().ToDictionary(w => Yaml.Text(w, "metadata", "name")!);
        foreach (var (name, _, _, listenKey) in Services)
        {
            var workload = workloads[$"relayguard-{name}"];
            Assert.Equal(name == "gateway" ? "StatefulSet" : "Deployment", Yaml.Text(workload, "kind"));
            var container = (YamlMappingNode)Yaml.Items(workload, "spec", "template", "spec", "containers").Single();
            Assert.Equal($"relayguard/{name}", Yaml.Text(container, "image")!.Split(':')[0]);

            var http = Port(container, "http");
            Assert.Equal(ListenPort(container, listenKey), http);
            Assert.Equal("/health/live", Yaml.Text(container, "livenessProbe", "httpGet", "path"));
            Assert.Equal("/health/ready", Yaml.Text(container, "readinessProbe", "httpGet", "path"));
            Assert.Equal("http", Yaml.Text(container, "livenessProbe", "httpGet", "port"));
            Assert.Equal("http", Yaml.Text(container, "readinessProbe", "httpGet", "port"));
        }

        var gateway = workloads["relayguard-gateway"];
        Assert.Equal("data", Yaml.Text(Yaml.Items(gateway, "spec", "volumeClaimTemplates").Single(), "metadata", "name"));
        var gatewayContainer = Yaml.Items(gateway, "spec", "template", "spec", "containers").Single();
        Assert.Equal(ConfigValue("Smtp__Listen")!.Split(':')[^1], Port(gatewayContainer, "submission").ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ConfigValue("Smtp__ImplicitTlsListen")!.Split(':')[^1], Port(gatewayContainer, "submissions").ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("metadata.name", Yaml.Text(Env(gatewayContainer)["Gateway__InstanceId"], "valueFrom", "fieldRef", "fieldPath"));
    }

    [Fact]
    public void Kubernetes_SettingsAreKnown()
    {
        foreach (var container in Workloads().SelectMany(w => Yaml.Items(w, "spec", "template", "spec", "containers")))
        {
            foreach (var (name, value) in Env(container))
            {
                Assert.True(IsKnownSetting(name), $"Unknown setting {name} in {Yaml.Text(container, "name")}.");
                if (Yaml.At(value, "valueFrom", "secretKeyRef") is { } secret)
                {
                    Assert.Equal("relayguard-secrets", Yaml.Text(secret, "name"));
                    Assert.Contains(Yaml.Text(secret, "key"), SecretKeys);
                }
            }
        }

        foreach (var map in AllDocuments().Where(d => Yaml.Text(d, "kind") == "ConfigMap"))
        {
            foreach (var key in ((YamlMappingNode)Yaml.At(map, "data")!).Children.Keys.Select(k => ((YamlScalarNode)k).Value!))
            {
                Assert.True(IsKnownSetting(key), $"Unknown setting {key} in ConfigMap {Yaml.Text(map, "metadata", "name")}.");
            }
        }
    }

    [Fact]
    public void Kubernetes_ScalesDetectorsOnTheirQueues()
    {
        var queues = RelayguardTopology.Endpoints.Select(e => e.Queue).ToHashSet();
        var scaled = AllDocuments().Where(d => Yaml.Text(d, "kind") == "ScaledObject").ToList();
        Assert.Equal(["relayguard-bo1", "relayguard-ca1", "relayguard-ca2", "relayguard-rl1"], scaled.Select(s => Yaml.Text(s, "spec", "scaleTargetRef", "name")).Order());
        foreach (var scaledObject in scaled)
        {
            var trigger = Yaml.Items(scaledObject, "spec", "triggers").Single();
            Assert.Equal("rabbitmq", Yaml.Text(trigger, "type"));
            Assert.Contains(Yaml.Text(trigger, "metadata", "queueName") ?? string.Empty, queues);
            Assert.Equal("Bus__RabbitMq", Yaml.Text(trigger, "metadata", "hostFromEnv"));
        }

        var budgets = AllDocuments().Where(d => Yaml.Text(d, "kind") == "PodDisruptionBudget").Select(d => Yaml.Text(d, "metadata", "name")).ToList();
        Assert.All(Services, service => Assert.Contains($"relayguard-{service.Name}", budgets));
    }

    [Fact]
    public async Task Kubernetes_ProbesAnswer()
    {
        await using var deployment = await Deployment.CreateAsync(fixture.Broker);
        var workloads = Workloads().ToDictionary(w => Yaml.Text(w, "metadata", "name")!);
        foreach (var (name, project, assembly, listenKey) in Services)
        {
            var container = Yaml.Items(workloads[$"relayguard-{name}"], "spec", "template", "spec", "containers").Single();
            var port = Ports.Free();
            var settings = new Dictionary<string, string>
            {
                ["Bus:Transport"] = "inmemory",
                [listenKey] = $"127.0.0.1:{port}",
                ["Data:Directory"] = Path.Combine(deployment.Folder, name),
                ["Store:Kind"] = "sqlite",
            };
            if (name == "gateway")
            {
                settings["Smtp:Listen"] = $"127.0.0.1:{Ports.Free()}";
            }

            var process = await deployment.StartAsync(new ServiceSpec(name, Repository.HostDll(project, assembly), new Uri($"http://127.0.0.1:{port}"), settings), waitForBus: false);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            Assert.True((await http.GetAsync(Yaml.Text(container, "livenessProbe", "httpGet", "path"))).IsSuccessStatusCode, $"{name}: liveness");
            Assert.True((await http.GetAsync(Yaml.Text(container, "readinessProbe", "httpGet", "path"))).IsSuccessStatusCode, $"{name}: readiness");
            Assert.True((await http.GetAsync("/metrics")).IsSuccessStatusCode, $"{name}: metrics");
            await process.StopAsync();
        }
    }

    [Fact]
    public void Systemd_UnitsRunAsServiceUser()
    {
        var folder = Path.Combine(Repository.Root, "deploy", "systemd");
        foreach (var (name, _, assembly, _) in Services)
        {
            var unit = File.ReadAllLines(Path.Combine(folder, $"relayguard-{name}.service"));
            Assert.Contains("User=relayguard", unit);
            Assert.Contains("ConfigurationDirectory=relayguard", unit);
            Assert.Contains(unit, line => line.StartsWith("ExecStart=", StringComparison.Ordinal) && line.EndsWith($"/{assembly}.dll", StringComparison.Ordinal));
            Assert.Equal(name == "gateway", unit.Contains("AmbientCapabilities=CAP_NET_BIND_SERVICE"));
        }

        var embedded = File.ReadAllLines(Path.Combine(folder, "relayguard.service"));
        Assert.Contains("User=relayguard", embedded);
        Assert.Contains("AmbientCapabilities=CAP_NET_BIND_SERVICE", embedded);
        Assert.Contains("u relayguard", File.ReadAllText(Path.Combine(folder, "sysusers.conf")), StringComparison.Ordinal);
    }

    private static IEnumerable<YamlMappingNode> AllDocuments() =>
        Directory.EnumerateFiles(KubernetesFolder, "*.yaml").Order(StringComparer.Ordinal).SelectMany(Yaml.Documents);

    private static IEnumerable<YamlMappingNode> Workloads() =>
        AllDocuments().Where(d => Yaml.Text(d, "kind") is "Deployment" or "StatefulSet");

    private static Dictionary<string, YamlNode> Env(YamlNode container) =>
        Yaml.Items(container, "env").ToDictionary(e => Yaml.Text(e, "name")!, e => e);

    private static int Port(YamlNode container, string name) =>
        int.Parse(Yaml.Text(Yaml.Items(container, "ports").Single(p => Yaml.Text(p, "name") == name), "containerPort")!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The port of the container's listen setting, from its own environment or from a ConfigMap it loads.</summary>
    private static int ListenPort(YamlNode container, string listenKey)
    {
        var variable = listenKey.Replace(":", "__", StringComparison.Ordinal);
        var value = Env(container).TryGetValue(variable, out var entry) ? Yaml.Text(entry, "value") : ConfigValue(variable);
        Assert.False(value is null, $"{Yaml.Text(container, "name")} does not set {variable}.");
        return int.Parse(value!.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string? ConfigValue(string key) =>
        AllDocuments().Where(d => Yaml.Text(d, "kind") == "ConfigMap").Select(d => Yaml.Text(d, "data", key)).FirstOrDefault(v => v is not null);

    private static bool IsKnownSetting(string name) =>
        name.StartsWith("OTEL_", StringComparison.Ordinal) || KnownSections.Contains(name.Split("__")[0]);
}
