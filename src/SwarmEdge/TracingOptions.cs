namespace SwarmEdge;

/// <summary>OpenTelemetry traces of proxied requests, sent over OTLP. Off while Endpoint is empty.</summary>
internal sealed class TracingOptions
{
    /// <summary>The OTLP receiver: http://collector:4318 (HTTP/protobuf) or http://collector:4317 with Protocol grpc.</summary>
    public string Endpoint { get; set; } = "";

    /// <summary>http/protobuf (the default) or grpc.</summary>
    public string Protocol { get; set; } = "http/protobuf";

    /// <summary>The share of requests recorded (0 to 1), by trace ID; a client's traceparent flags do not change it.</summary>
    public double SampleRatio { get; set; } = 0.1;

    /// <summary>service.name of the spans.</summary>
    public string ServiceName { get; set; } = "swarmedge";

    public bool Enabled => Endpoint.Length > 0;
}
