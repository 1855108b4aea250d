package dev.lfr.loadtest.eval;

import dev.lfr.udfs.detect.Box;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Face boxes from dlib's imglab XML ({@code <image file=...><box top left width height [ignore]/>}). */
public final class ImglabBoxes {
    private ImglabBoxes() {}

    /** Image file name to its face boxes; boxes marked {@code ignore='1'} are left out. */
    public static Map<String, List<Box>> read(Path xml) throws IOException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            NodeList images = f.newDocumentBuilder().parse(xml.toFile()).getElementsByTagName("image");
            Map<String, List<Box>> out = new LinkedHashMap<>();
            for (int i = 0; i < images.getLength(); i++) {
                Element image = (Element) images.item(i);
                List<Box> boxes = new ArrayList<>();
                NodeList bs = image.getElementsByTagName("box");
                for (int j = 0; j < bs.getLength(); j++) {
                    Element b = (Element) bs.item(j);
                    if (!"1".equals(b.getAttribute("ignore"))) {
                        boxes.add(new Box(num(b, "left"), num(b, "top"), num(b, "width"), num(b, "height")));
                    }
                }
                out.put(Path.of(image.getAttribute("file")).getFileName().toString(), boxes);
            }
            return out;
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot parse " + xml + ": " + e.getMessage(), e);
        }
    }

    private static double num(Element e, String attr) {
        return Double.parseDouble(e.getAttribute(attr));
    }
}
