/// Entry points that turn config text or a config file into a validated `LadderConfig`.
extension LadderConfig {
    /// Parses and validates a YAML config.
    ///
    /// An empty document (or one with only comments) gives ``defaults``. Every unknown key,
    /// wrong type or out-of-range value is refused with a one-line message that names its key
    /// path, e.g. `renditions[1].videoBitrate: "3 Mbps" is not a bitrate (use 3000k, 3M or 3000000)`;
    /// YAML syntax errors read `line 3: <problem>`.
    public static func parse(yaml: String) throws(ConfigError) -> LadderConfig {
        let root = try YAMLDocument.root(of: yaml)
        let config = try ConfigNodeReader.config(from: root)
        try config.validate()
        return config
    }

    /// Reads, parses and validates the YAML config file at `path`.
    ///
    /// Every error message starts with `path`, so `config.yaml: line 3: …` and
    /// `config.yaml: renditions[0].name: …` say which file to fix; a file that cannot be read
    /// gives the OS's reason, e.g. `config.yaml: cannot read the file (No such file or directory)`.
    public static func load(path: String) throws(ConfigError) -> LadderConfig {
        let text = try ConfigFile.text(atPath: path)
        do {
            return try parse(yaml: text)
        } catch {
            throw error.inFile(path)
        }
    }
}
