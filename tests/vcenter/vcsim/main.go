// vcsim for the vcenter scanner's tests: govmomi's simulator with a vCenter (VPX) inventory,
// over plain HTTP or TLS, optionally requiring one username and password.
//
// Two things differ from the stock simulator, both to behave as a real vCenter does:
//   - the PropertyCollector pages: RetrievePropertiesEx honours options.maxObjects and returns a
//     token, and ContinueRetrievePropertiesEx / CancelRetrievePropertiesEx serve the rest;
//   - each host's service tag is its own (the stock model gives every host the same one).
//
// On start it prints one JSON line to stdout: {"url": ..., "cert": <PEM path or "">}; it stops
// on SIGTERM/SIGINT or when stdin closes, removing its temporary files.
//
// Build: GOPATH=/usr/share/gocode GO111MODULE=off go build -o tests/.peers/vcsim ./tests/vcenter/vcsim
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// pagingCollector wraps the simulator's PropertyCollector. It is embedded by value because
// the simulator makes each session's collector with reflect.New of this type.
type pagingCollector struct {
	simulator.PropertyCollector

	lock  sync.Mutex
	pages map[string]pending
	next  int
}

// pending is what a token still holds, and the page size its first call asked for.
type pending struct {
	rest []types.ObjectContent
	size int32
}

func (pc *pagingCollector) page(objects []types.ObjectContent, max int32) *types.RetrieveResult {
	result := &types.RetrieveResult{Objects: objects}
	if max <= 0 || len(objects) <= int(max) {
		return result
	}
	pc.lock.Lock()
	defer pc.lock.Unlock()
	if pc.pages == nil {
		pc.pages = make(map[string]pending)
	}
	pc.next++
	token := strconv.Itoa(pc.next)
	pc.pages[token] = pending{rest: objects[max:], size: max}
	result.Objects = objects[:max]
	result.Token = token
	return result
}

func (pc *pagingCollector) RetrievePropertiesEx(ctx *simulator.Context, req *types.RetrievePropertiesEx) soap.HasFault {
	body := pc.PropertyCollector.RetrievePropertiesEx(ctx, req).(*methods.RetrievePropertiesExBody)
	if body.Res == nil || body.Res.Returnval == nil {
		return body
	}
	body.Res.Returnval = pc.page(body.Res.Returnval.Objects, req.Options.MaxObjects)
	return body
}

func (pc *pagingCollector) take(token string) (pending, bool) {
	pc.lock.Lock()
	defer pc.lock.Unlock()
	left, ok := pc.pages[token]
	delete(pc.pages, token)
	return left, ok
}

func (pc *pagingCollector) ContinueRetrievePropertiesEx(req *types.ContinueRetrievePropertiesEx) soap.HasFault {
	body := &methods.ContinueRetrievePropertiesExBody{}
	left, ok := pc.take(req.Token)
	if !ok {
		body.Fault_ = simulator.Fault("unknown token", &types.InvalidArgument{InvalidProperty: "token"})
		return body
	}
	body.Res = &types.ContinueRetrievePropertiesExResponse{Returnval: *pc.page(left.rest, left.size)}
	return body
}

func (pc *pagingCollector) CancelRetrievePropertiesEx(req *types.CancelRetrievePropertiesEx) soap.HasFault {
	pc.take(req.Token)
	return &methods.CancelRetrievePropertiesExBody{Res: &types.CancelRetrievePropertiesExResponse{}}
}

// selfSigned makes an ECDSA certificate for 127.0.0.1, ::1 and localhost, and writes its PEM.
func selfSigned(certPath string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	template := x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "vcsim.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, &template, &template, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(certPath, pemBytes, 0o644); err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// uniqueServiceTags gives each host a service tag derived from its own UUID, as ESXi on
// VMware's virtual platform reports; the stock model shares one slice among all hosts.
func uniqueServiceTags() {
	for _, entity := range simulator.Map.All("HostSystem") {
		host := entity.(*simulator.HostSystem)
		hw := host.Summary.Hardware
		hex := strings.ReplaceAll(hw.Uuid, "-", "")
		var pairs []string
		for i := 0; i+1 < len(hex) && i < 32; i += 2 {
			pairs = append(pairs, hex[i:i+2])
		}
		tag := "VMware-" + strings.Join(pairs[:8], " ") + "-" + strings.Join(pairs[8:], " ")
		info := make([]types.HostSystemIdentificationInfo, 0, len(hw.OtherIdentifyingInfo))
		for _, id := range hw.OtherIdentifyingInfo {
			if id.IdentifierType.GetElementDescription().Key == "ServiceTag" {
				id.IdentifierValue = tag
			}
			info = append(info, id)
		}
		hw.OtherIdentifyingInfo = info
	}
}

// quickStats gives each running VM the CPU and guest memory use a real vCenter reports (the
// stock model leaves them unset): a different share of what each VM was given.
func quickStats() {
	for i, entity := range simulator.Map.All("VirtualMachine") {
		vm := entity.(*simulator.VirtualMachine)
		if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn || vm.Runtime.Host == nil {
			continue
		}
		host := simulator.Map.Get(*vm.Runtime.Host).(*simulator.HostSystem)
		hardware := vm.Config.Hardware
		given := int64(hardware.NumCPU) * int64(host.Summary.Hardware.CpuMhz)
		share := int64(5 + (i*17)%80)
		vm.Summary.QuickStats.OverallCpuUsage = int32(given * share / 100)
		vm.Summary.QuickStats.GuestMemoryUsage = int32(int64(hardware.MemoryMB) * (100 - share) / 100)
	}
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	datacenters := flag.Int("dc", 1, "datacenters")
	clusters := flag.Int("clusters", 1, "clusters per datacenter")
	clusterHosts := flag.Int("hosts", 3, "hosts per cluster")
	standalone := flag.Int("standalone-hosts", 1, "standalone hosts per datacenter")
	vms := flag.Int("vms", 2, "VMs per cluster and per standalone host")
	useTLS := flag.Bool("tls", false, "serve HTTPS with a fresh self-signed certificate")
	certPath := flag.String("cert-file", "", "where to write the certificate's PEM (with -tls)")
	username := flag.String("username", "", "the only username accepted (default: any)")
	password := flag.String("password", "", "the only password accepted (with -username)")
	flag.Parse()
	log.SetOutput(io.Discard) // the simulator logs every unknown object; the tests read stdout only

	model := simulator.VPX()
	model.Datacenter = *datacenters
	model.Cluster = *clusters
	model.ClusterHost = *clusterHosts
	model.Host = *standalone
	model.Machine = *vms
	if err := model.Create(); err != nil {
		fmt.Fprintln(os.Stderr, "vcsim: creating the model:", err)
		os.Exit(1)
	}
	defer model.Remove()
	uniqueServiceTags()
	quickStats()

	collector := &pagingCollector{}
	collector.Self = model.ServiceContent.PropertyCollector
	simulator.Map.Put(collector)

	model.Service.Listen = &url.URL{Host: *listen}
	if *username != "" {
		model.Service.Listen.User = url.UserPassword(*username, *password)
	}
	if *useTLS {
		if *certPath == "" {
			fmt.Fprintln(os.Stderr, "vcsim: -tls needs -cert-file")
			os.Exit(2)
		}
		cert, err := selfSigned(*certPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "vcsim: making the certificate:", err)
			os.Exit(1)
		}
		model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	server := model.Service.NewServer()
	defer server.Close()

	endpoint := *server.URL
	endpoint.User = nil
	line, _ := json.Marshal(map[string]string{"url": endpoint.String(), "cert": *certPath})
	fmt.Println(string(line))

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop <- syscall.SIGTERM
	}()
	<-stop
}
